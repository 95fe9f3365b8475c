"""The province's platform (河北政务服务网 / 冀时办) behind one interface; off by default.

DUTIES_PROVINCE_URL set → HttpGateway posts a proxy case as JSON and reads its status; unset → DisabledGateway.
Message formats (docs/duties.md): submit POST {url}/cases {"item_code", "case_ref", "applicant", "unit_code",
"materials": [names]} → {"case_no"}; status GET {url}/cases/{case_no} → {"status": "accepted"|"done"|"rejected",
"result": text}. Tests run HttpGateway against a local fake of the endpoint.
"""

import json
import os
import urllib.request
from typing import Any, Protocol


class Gateway(Protocol):
    enabled: bool

    def submit(self, case: Any) -> str: ...

    def status(self, case_no: str) -> dict[str, str]: ...


class DisabledGateway:
    enabled = False

    def submit(self, case: Any) -> str:
        return ""

    def status(self, case_no: str) -> dict[str, str]:
        return {}


class HttpGateway:
    enabled = True

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("DUTIES_PROVINCE_URL must be an http(s) URL")
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - http(s) checked in __init__
            f"{self.base_url}{path}", data=data, method=method,
            headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) checked above
            return dict(json.loads(response.read().decode()))

    def submit(self, case: Any) -> str:
        answer = self._call("POST", "/cases", {
            "item_code": case.item.province_code, "case_ref": f"SQ{case.pk}", "applicant": case.applicant,
            "unit_code": case.unit_id, "materials": [m.name for m in case.uploads.all()]})
        return str(answer.get("case_no", ""))

    def status(self, case_no: str) -> dict[str, str]:
        answer = self._call("GET", f"/cases/{case_no}")
        return {"status": str(answer.get("status", "")), "result": str(answer.get("result", ""))}


def item_url(code: str) -> str:
    """The item's page on 河北政务服务网 (a link for the resident)."""
    return f"https://www.hbzwfw.gov.cn/hbzw/bszn/index.do?itemCode={code}" if code else ""


def gateway() -> Gateway:
    url = os.environ.get("DUTIES_PROVINCE_URL", "").strip()
    return HttpGateway(url) if url else DisabledGateway()
