"""JSON API: the category classifier, open to anyone (no personal data in or out)."""

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from appeals.classifier.model import classify as classify_text
from appeals.selectors import categories

router = Router(tags=["appeals"])


class ClassifyIn(Schema):
    text: str


class Ranked(Schema):
    code: str
    name: str
    score: float


class ClassifyOut(Schema):
    categories: list[Ranked]


@router.post("/classify", auth=None, response=ClassifyOut, summary="Rank the 20 request categories for a text")
def classify(request: HttpRequest, payload: ClassifyIn) -> dict[str, object]:
    if len(payload.text) > 5000:
        raise HttpError(400, "文本过长（最多 5000 字）")
    try:
        ranked = classify_text(payload.text)
    except ValueError as exc:
        raise HttpError(400, "请提供要分类的诉求内容") from exc
    names = dict(categories().values_list("code", "name"))
    return {"categories": [{"code": c, "name": names.get(c, c), "score": round(s, 4)} for c, s in ranked]}
