"""The floor: the smallest Flask app, one route answering a ~300-byte JSON object.

Served with the same gunicorn settings and load as the real app, it measures what the
machine, gunicorn and Flask cost by themselves; scenarios are reported as ratios to it.
"""

from flask import Flask, jsonify

app = Flask(__name__)

PAYLOAD = {
    "id": "fd0540d0109445e3a0601bc6e69f8f1d",
    "first_name": "John",
    "last_name": "Doe",
    "email": "john@example.com",
    "phone": "+14155550123",
    "birthday": "1990-01-01",
    "additional_data": {"company": "Example Corp", "position": "Developer"},
    "created_at": "2025-04-16T12:28:54.744Z",
    "updated_at": "2025-04-16T12:28:54.744Z",
}


@app.get("/floor")
def floor():
    return jsonify(PAYLOAD)
