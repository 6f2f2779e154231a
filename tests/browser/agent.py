"""A tiny stand-in for the Haven agent's side of the wire, in plain Python: pinned HTTPS, Basic auth, uploads and commits."""
import base64
import hashlib
import http.client
import json
import ssl
import urllib.parse


class PinnedConnection:
    """One HTTPS request at a time to the vault, trusting it only when its certificate matches the credentials' pin."""

    def __init__(self, credentials):
        self.credentials = credentials
        self.address = urllib.parse.urlsplit(credentials["address"])
        self.authorization = None

    def request(self, method, path, body=b"", headers=None):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the pin below is the trust anchor, as in the agent
        connection = http.client.HTTPSConnection(self.address.hostname, self.address.port, context=context, timeout=10)
        try:
            connection.connect()
            presented = hashlib.sha256(connection.sock.getpeercert(binary_form=True)).hexdigest()
            assert presented == self.credentials["certificateSHA256"], "the vault's certificate is the one the credentials pin"
            headers = dict(headers or {})
            if self.authorization:
                headers["Authorization"] = self.authorization
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            try:
                decoded = json.loads(raw) if raw else {}
            except ValueError:
                decoded = {"raw": raw.decode(errors="replace")}
            return response.status, decoded
        finally:
            connection.close()


class Agent(PinnedConnection):
    """A registered machine: uploads objects under a lease and commits recovery points."""

    def register(self, name):
        status, body = self.request("POST", "/api/v1/register", {
            "credentials": self.credentials, "machineName": name, "hostname": f"{name}.example.com"})
        if status == 201:
            self.machine = body["machineId"]
            token = base64.b64encode(f"{body['machineId']}:{body['secret']}".encode()).decode()
            self.authorization = "Basic " + token
        return status, body

    def upload(self, kind, content, lease):
        name = hashlib.sha256(content).hexdigest()
        status, body = self.request("PUT", f"/api/v1/machines/{self.machine}/objects/{kind}/{name}", content,
                                    {"Haven-Lease": lease, "Content-Type": "application/octet-stream"})
        assert status in (200, 201), (status, body)
        return name

    def back_up(self, item, time, size, payload):
        """Uploads a pack and a point object and commits the point; returns the point's id."""
        status, lease = self.request("POST", f"/api/v1/machines/{self.machine}/leases", {"seconds": 600})
        assert status == 201, lease
        pack = self.upload("data", payload, lease["id"])
        point = self.upload("recovery-points", payload + time.encode(), lease["id"])
        status, body = self.request("POST", f"/api/v1/machines/{self.machine}/recovery-points", {
            "object": point, "item": {"kind": "files", "name": item}, "time": time, "size": size,
            "references": [f"data/{pack}"]})
        assert status == 201, body
        self.request("DELETE", f"/api/v1/machines/{self.machine}/leases/{lease['id']}")
        return body["id"]

    def set_policy(self, policy, pin):
        return self.request("PUT", f"/api/v1/machines/{self.machine}/policy", policy, {"Haven-Security-PIN": pin})
