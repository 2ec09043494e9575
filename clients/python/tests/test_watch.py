"""Server-pushed notifications from a real server: watch.event after a change made elsewhere."""

from __future__ import annotations

from caseload import Connection
from helpers import id_number


def test_watch_event_reaches_the_python_client(caseload_server, token):
    with Connection(caseload_server.host, caseload_server.port, timeout=30) as watcher, \
            Connection(caseload_server.host, caseload_server.port, timeout=30) as worker:
        watcher.login(token)
        worker.login(token)
        subscription = watcher.call("watch.subscribe", {"kinds": ["case_changed"]})["subscription_id"]

        company = worker.call("company.create", {"name": "推送公司", "org_code": "77604965-3", "talent_center_status": "activated"})
        applicant = worker.call("applicant.create", {"company_id": company["id"], "name": "李四", "id_number": id_number(sequence=31)})
        case = worker.call("case.open", {"applicant_id": applicant["id"], "kind": "points_new"})

        event = None
        for note in watcher.notifications(timeout=10):
            if note.method == "watch.event" and note.params["case_id"] == case["id"]:
                event = note.params
                break
        assert event is not None, "no watch.event arrived within 10 s"
        assert event["subscription_id"] == subscription
        assert event["kind"] == "case_changed"
        assert event["company_id"] == company["id"]

        assert watcher.call("watch.unsubscribe", {"subscription_id": subscription}) is True
