"""A small demo HTTP API serving synthetic patient JSON, reached through the `patients-api`
http connection. It wants a bearer token that only the gateway holds.

    GET  /patients               list (limit)            read
    GET  /patients/{id}          one patient, nested      read
    GET  /patients/{id}/summary  plain text               read
    GET  /patients/export        CSV of everyone          export (by a connection rule)
    POST /patients/{id}/notes    add a note               write
    POST /users/{id}/roles       grant a role             privilege (by a connection rule)
    GET  /admin/stats            admin area               admin (by a connection rule)
"""

from __future__ import annotations

import asyncio
import hmac
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import PlainTextResponse

from phigate.ops.demo import ehr


def _patients(count: int) -> list[dict[str, Any]]:
    data = ehr.generate(count)
    notes = {n["patient_id"]: n["note_text"] for n in data["clinical_notes"]}
    people = []
    for p in data["patients"]:
        people.append(
            {
                "id": p["id"],
                "name": f"{p['first_name']} {p['last_name']}",
                "sex": p["sex"],
                "dob": p["dob"].isoformat(),
                "ssn": p["ssn"],
                "mrn": p["mrn"],
                "contact": {
                    "email": p["email"],
                    "phone": p["phone"],
                    "address": {
                        "street": p["address"],
                        "city": p["city"],
                        "state": p["state"],
                        "zip": p["zip"],
                    },
                },
                "notes": [{"text": notes.get(p["id"], "")}],
            }
        )
    return people


def create_api(token: str, patients: int = 50) -> FastAPI:
    app = FastAPI(title="demo patient API")
    people = {p["id"]: p for p in _patients(patients)}

    def authorised(request: Request) -> None:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise HTTPException(401, "a valid bearer token is required")

    def patient(patient_id: int) -> dict[str, Any]:
        if patient_id not in people:
            raise HTTPException(404, f"no patient {patient_id}")
        return people[patient_id]

    guard = [Depends(authorised)]

    @app.get("/patients", dependencies=guard)
    def list_patients(limit: int = 10) -> list[dict[str, Any]]:
        return list(people.values())[:limit]

    @app.get("/patients/export", dependencies=guard, response_class=PlainTextResponse)
    def export() -> str:
        rows = [
            f"{p['id']},{p['name']},{p['ssn']},{p['contact']['email']}" for p in people.values()
        ]
        return "id,name,ssn,email\n" + "\n".join(rows) + "\n"

    @app.get("/patients/{patient_id}", dependencies=guard)
    def get_patient(patient_id: int) -> dict[str, Any]:
        return patient(patient_id)

    @app.get("/patients/{patient_id}/summary", dependencies=guard, response_class=PlainTextResponse)
    def summary(patient_id: int) -> str:
        p = patient(patient_id)
        return f"{p['name']}, born {p['dob']}, SSN {p['ssn']}, {p['contact']['phone']}\n"

    @app.post("/patients/{patient_id}/notes", dependencies=guard, status_code=201)
    def add_note(patient_id: int, note: dict[str, Any]) -> dict[str, Any]:
        patient(patient_id)["notes"].append(note)
        return {"patient_id": patient_id, "notes": len(people[patient_id]["notes"])}

    @app.post("/users/{user_id}/roles", dependencies=guard)
    def grant(user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"user": user_id, "granted": body}

    @app.get("/admin/stats", dependencies=guard)
    def stats() -> dict[str, Any]:
        return {"patients": len(people)}

    return app


@dataclass
class RunningApi:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def start(token: str, *, host: str = "127.0.0.1", port: int = 0, patients: int = 50) -> RunningApi:
    """Serve the API in a background thread; returns once it listens."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(create_api(token, patients), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])),
        name="demo-patient-api",
        daemon=True,
    )
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.02)
    bound = sock.getsockname()[1]
    return RunningApi(f"http://{host}:{bound}", server, thread)


def start_for_demo(secrets_dir: Path) -> RunningApi:
    """Start the API with the token the gateway holds; tell the gateway where it listens."""
    token_file = secrets_dir / "patients_api_token"
    running = start(token_file.read_text().strip())
    url_file = secrets_dir / "patients_api_url"
    url_file.write_text(running.url)
    url_file.chmod(0o600)
    return running


def demo_connections(settings: Any) -> dict[str, Any]:
    """The credentials file's `connections`: what each is and a first thing to try
    (never the upstream credentials, which only the gateway holds)."""
    examples = {
        "postgres": 'POST /v1/actions {{"connection": "{name}", "sql": "SELECT …"}}',
        "exec": "phigate exec {name} -- deploy-tool status",
        "http": "phigate http {name} GET /patients/1",
    }
    return {
        name: {
            "type": conn.type,
            "description": conn.description,
            "try": examples.get(conn.type, "").format(name=name),
        }
        for name, conn in settings.connections.items()
    }
