"""Render each dashboard in headless Chromium and save a screenshot (runs with the Superset venv's
Python, which has Playwright; the browser is the system's Chromium, never a downloaded one).

    python screenshot.py URL USER PASSWORD OUT_DIR CHROMIUM SLUG:N_CHARTS [SLUG:N_CHARTS ...]

Prints one JSON object: per slug, the PNG path, the charts' data responses (status, row counts)
the dashboard made while rendering, how many charts are drawn, and any error text shown on the page.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    url, user, password, out_dir, chromium, *boards = sys.argv[1:]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, locale="zh-CN")
        page.goto(f"{url}/login/", wait_until="networkidle")
        page.fill("input[name='username'], #username", user)
        page.fill("input[name='password'], #password", password)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda u: "/login" not in u, timeout=120_000)
        for board in boards:
            slug, n_charts = board.rsplit(":", 1)
            responses: list[dict] = []

            def on_response(response, responses=responses) -> None:
                if "/api/v1/chart/data" in response.url and response.request.method == "POST":
                    try:
                        body = response.json()
                    except Exception:  # noqa: BLE001 - a non-JSON error page: keep its status only
                        body = {}
                    rows = [q.get("rowcount", len(q.get("data") or [])) for q in body.get("result", [])]
                    responses.append({"status": response.status, "rows": rows,
                                      "form_data_slice_id": (response.request.post_data_json or {})
                                      .get("form_data", {}).get("slice_id")})

            page.on("response", on_response)
            page.goto(f"{url}/superset/dashboard/{slug}/?standalone=1", wait_until="networkidle",
                      timeout=300_000)
            deadline = time.monotonic() + 300  # every chart answered and drawn (slow on a busy machine)
            while time.monotonic() < deadline and (
                len(responses) < int(n_charts)
                or page.locator("[data-test-chart-id]:visible").count() < int(n_charts)
                or page.locator(".loading, .ant-skeleton").count()
            ):
                page.wait_for_timeout(1000)
            rendered = page.locator("[data-test-chart-id]:visible").count()
            page.wait_for_timeout(3000)  # echarts animations
            errors = page.locator(".alert-danger, .ant-alert-error, [data-test='error-message']").all_inner_texts()
            path = out / f"{slug}.png"
            page.screenshot(path=str(path), full_page=True)
            page.remove_listener("response", on_response)
            report[slug] = {"png": str(path), "responses": responses, "errors": errors, "rendered": rendered}
        browser.close()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
