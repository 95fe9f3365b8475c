"""History entries no longer carry restricted tag labels in their summary (F15): they move to restricted_summary.

An update's summary read "修改：姓名、添加社区矫正对象"; it becomes "修改：姓名", with "修改：添加社区矫正对象" kept
apart for those with the right. The labels are frozen here as they were when the summaries were written.
"""

from django.db import migrations, models

RESTRICTED_LABELS = ("社区矫正对象", "刑满释放人员", "社区戒毒社区康复人员", "严重精神障碍患者")
CHANGES = tuple(f"{verb}{label}" for verb in ("添加", "取消", "修改") for label in RESTRICTED_LABELS)
HEAD = "修改："


def split(summary: str) -> tuple[str, str]:
    """(summary without restricted changes, the restricted changes) of one stored summary."""
    if not summary.startswith(HEAD):
        return summary, ""
    items = summary.removeprefix(HEAD).split("、")
    restricted = [item for item in items if item in CHANGES]
    if not restricted:
        return summary, ""
    public = [item for item in items if item not in CHANGES]
    return (HEAD + "、".join(public) if public else ""), HEAD + "、".join(restricted)


def move_restricted(apps, schema_editor):  # type: ignore[no-untyped-def]
    ResidentEvent = apps.get_model("people", "ResidentEvent")
    query = ResidentEvent.objects.filter(kind="updated", summary__startswith=HEAD)
    for label in RESTRICTED_LABELS:
        for event in query.filter(summary__contains=label).only("pk", "summary"):
            public, restricted = split(event.summary)
            if restricted:
                event.summary, event.restricted_summary = public, restricted
                event.save(update_fields=["summary", "restricted_summary"])


def merge_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    ResidentEvent = apps.get_model("people", "ResidentEvent")
    for event in ResidentEvent.objects.exclude(restricted_summary="").only("pk", "summary", "restricted_summary"):
        items = [event.summary.removeprefix(HEAD), event.restricted_summary.removeprefix(HEAD)]
        event.summary = HEAD + "、".join(i for i in items if i)
        event.save(update_fields=["summary"])


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0006_remask_id_numbers'),
    ]

    operations = [
        migrations.AddField(
            model_name='residentevent',
            name='restricted_summary',
            field=models.CharField(blank=True, help_text='受限标签的变更，仅有权查看受限标签者可见', max_length=300, verbose_name='受限内容'),
        ),
        migrations.AlterField(
            model_name='residentevent',
            name='summary',
            field=models.CharField(blank=True, help_text='任何能看到该居民的人都可读；不含受限标签', max_length=300, verbose_name='摘要'),
        ),
        migrations.RunPython(move_restricted, merge_back),
    ]
