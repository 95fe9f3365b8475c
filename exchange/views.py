"""Pages for department staff: their datasets, uploading a batch, the batches with their diffs and errors."""

from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scoping import get_visible_or_404
from exchange import importers, selectors, services, sharing
from exchange.datasets import SPECS, TYPE_LABELS
from exchange.forms import UploadForm
from exchange.models import Batch, SharingAgreement
from places.models import OrgUnit
from shequ.importing import RowError
from shequ.xlsx import HeaderMismatch, write_error_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = selectors.feeds(selectors.datasets_for(request.user), timezone.localdate())
    return render(request, "exchange/index.html", {"rows": rows})


def _dataset_page(request: HttpRequest, code: str, form: UploadForm, delivery: Any = None, status: int = 200) -> HttpResponse:
    dataset = get_visible_or_404(selectors.datasets_for(request.user), code=code)
    fields = [(f, TYPE_LABELS[f.type]) for f in dataset.spec.fields]
    batches = selectors.batches_for(request.user, dataset)[:50]
    return render(request, "exchange/dataset.html", {"dataset": dataset, "fields": fields, "batches": batches,
                                                     "form": form, "delivery": delivery}, status=status)


@login_required
def dataset_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _dataset_page(request, code, UploadForm())


@login_required
@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    dataset = get_visible_or_404(selectors.datasets_for(request.user), code=code)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _dataset_page(request, code, form, status=400)
    file = form.cleaned_data["file"]
    try:
        rows = importers.file_rows(file.name, file.read(), dataset.spec)
        delivery = services.deliver(dataset=dataset, rows=rows, actor=request.user, channel=Batch.Channel.UPLOAD,
                                    source_name=file.name, dry_run=form.cleaned_data["dry_run"])
    except HeaderMismatch as exc:
        delivery = services.Delivery(errors=exc.errors, dry_run=True)
    except ValidationError as exc:
        delivery = services.Delivery(errors=[RowError(1, "；".join(exc.messages))], dry_run=True)
    if delivery.ok and not delivery.dry_run and delivery.batch is not None:
        messages.success(request, f"已入库：新增 {len(delivery.added)}，变更 {len(delivery.changed)}，删除 {len(delivery.removed)}。")
        return redirect("exchange:batch", pk=delivery.batch.pk)
    if delivery.batch is not None:  # rejected and recorded
        return redirect("exchange:batch", pk=delivery.batch.pk)
    return _dataset_page(request, code, UploadForm(), delivery, status=200 if delivery.ok else 400)


@login_required
def template(request: HttpRequest, code: str) -> HttpResponse:
    """The blank template of a dataset: its published columns, nothing of any place."""
    spec = SPECS.get(code)
    if spec is None:
        raise Http404("未找到")
    stream = BytesIO()
    importers.template(stream, spec)
    return _xlsx(stream.getvalue(), f"{spec.name}模板.xlsx")


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(selectors.batches_for(request.user), pk=pk)
    codes = [c for key in ("added", "changed", "removed") for c in batch.diff.get(key, [])]
    names = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))
    diff = [(label, [(c, names.get(c, "")) for c in batch.diff.get(key, [])])
            for key, label in (("added", "新增"), ("changed", "变更"), ("removed", "删除"))]
    return render(request, "exchange/batch.html", {"batch": batch, "diff": diff})


@login_required
def batch_errors(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(selectors.batches_for(request.user), pk=pk)
    stream = BytesIO()
    write_error_report(stream, [RowError(e["line"], e["reason"], e.get("column", ""), e.get("value", "")) for e in batch.errors])
    return _xlsx(stream.getvalue(), f"{batch.dataset.name}批次{batch.pk}错误报告.xlsx")


# ---------------------------------------------------------------- sharing agreements


def _agreements(request: HttpRequest) -> Any:
    return SharingAgreement.objects.visible_to(request.user).select_related("department", "unit", "requested_by", "decided_by")


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/agreements.html", {"agreements": _agreements(request)[:500]})


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_visible_or_404(_agreements(request), pk=pk)
    accesses = agreement.accesses.select_related("user")[:500]
    fields = [(f, f.key in agreement.unmasked, agreement.unmasked.get(f.key, "")) for f in sharing.FIELDS]
    return render(request, "exchange/agreement.html", {
        "agreement": agreement, "accesses": accesses, "fields": fields, "active": services.agreement_active(agreement),
        "dataset_name": sharing.SHARED_DATASETS.get(agreement.dataset, agreement.dataset)})


def _decide(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    agreement = get_visible_or_404(_agreements(request), pk=pk)
    try:
        act(agreement)
        messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("exchange:agreement", pk=pk)


@login_required
@require_POST
def agreement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, lambda a: services.decide_agreement(agreement=a, actor=request.user, approve=True), "协议已批准。")


@login_required
@require_POST
def agreement_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, lambda a: services.revoke_agreement(agreement=a, actor=request.user), "协议已撤销，数据访问即刻停止。")
