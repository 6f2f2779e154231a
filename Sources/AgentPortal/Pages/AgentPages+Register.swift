/// The Register server page: the vault credentials file, the machine's name, the passphrase (typed or generated), take-over.
import Agent
import Foundation
import HTTPServer
import Web

extension AgentPages {
    /// The shortest passphrase the service accepts.
    static let minimumPassphraseLength = 16

    func registerPage(_ request: WebRequest, form: FormValidation? = nil, status: Int = 200) throws -> Response {
        if let registration = registration() {
            return try request.page("agent/register", title: "Register server", [
                "registered": true, "vault": registration.vaultName, "machine": registration.machineName,
            ])
        }
        var form = form ?? FormValidation(request.form)
        if form.values["machineName"] == nil { form.values["machineName"] = service.configuration.hostname }
        let generate = form.values["passphraseMode"] == "generate"
        return try request.page("agent/register", title: "Register server", [
            "registered": false, "form": form.context, "generate": generate, "type": !generate,
            "takeOver": form.values["takeOver"] == "on", "minimum": Self.minimumPassphraseLength,
        ], status: status)
    }

    func register(_ request: WebRequest) throws -> Response {
        guard registration() == nil else {
            return try request.redirect(to: "/register", flash: .info("This server is already registered."))
        }
        var check = FormValidation(request.form)
        let file = request.form.file("credentials")
        check.expect(file != nil, "credentials",
                     "Choose the .VaultCredentials file you downloaded from the vault portal (Download vault credentials).")
        let name = check.required("machineName", "Give this server a name, as it will appear in the vault.")
        if let name { check.expect(name.count <= 64, "machineName", "Use at most 64 characters (this name has \(name.count)).") }
        let generate = check.values["passphraseMode"] == "generate"
        var passphrase = check.values["passphrase"] ?? ""
        if generate {
            passphrase = AgentService.generatePassphrase()
        } else {
            check.expect(passphrase.count >= Self.minimumPassphraseLength, "passphrase",
                         "Use at least \(Self.minimumPassphraseLength) characters (this one has \(passphrase.count)), or let the portal generate one.")
            check.expect(passphrase == check.values["confirm"], "confirm", "The two passphrases differ; type the same one twice.")
        }
        check.forget("passphrase", "confirm")
        guard check.isValid, let file, let name else { return try registerPage(request, form: check, status: 422) }
        let registered: RegistrationInfo
        do {
            registered = try service.register(credentials: file.bytes, machineName: name, passphrase: passphrase,
                                              takeOver: check.values["takeOver"] == "on")
        } catch let error as AgentError where error.code != .io {
            Self.record(error, in: &check, fields: ["credentials", "machineName", "passphrase", "takeOver"])
            if error.field == nil || error.field == "credentials" {
                check.fail("credentials", "Choose the credentials file again (browsers do not keep a chosen file).")
            }
            return try registerPage(request, form: check, status: 422)
        }
        if generate {
            return try request.page("agent/registered", title: "Save your passphrase", [
                "vault": registered.vaultName, "machine": registered.machineName, "passphrase": passphrase,
                "filename": Self.passphraseFilename(registered.machineName),
            ])
        }
        return try request.redirect(to: "/schedule", flash: .success(
            "\(registered.machineName) is registered with the vault \(registered.vaultName). Next: choose what to back up and when."))
    }

    /// Hands the generated passphrase back as a text file to keep (it is never stored by the portal).
    func passphraseFile(_ request: WebRequest) throws -> Response {
        guard let passphrase = request.form["passphrase"], passphrase.count >= Self.minimumPassphraseLength else {
            throw WebError.badRequest("there is no passphrase to save; use the Download button on the page shown after registering")
        }
        let machine = registration()?.machineName ?? service.configuration.hostname
        let vault = registration()?.vaultName ?? "the vault"
        let text = """
            Haven encryption passphrase for \(machine) (vault \(vault))

            \(passphrase)

            Keep this file somewhere safe and away from this server. You need the passphrase to recover
            this server's data on another machine, and to change the passphrase. Haven cannot recover it.

            """
        return .download(Array(text.utf8), filename: Self.passphraseFilename(machine), contentType: "text/plain; charset=utf-8")
    }

    static func passphraseFilename(_ machine: String) -> String { "\(machine)-haven-passphrase.txt" }

    /// Puts a refusal of the service next to the field it names (when the form has it), else above the form.
    static func record(_ error: AgentError, in check: inout FormValidation, fields: Set<String>) {
        let message = Self.sentence(error.message)
        let aliases = ["securityPIN": "pin", "target": "alternatePath", "retainUntil": "retainUntil"]
        if let field = error.field.map({ aliases[$0] ?? $0 }), fields.contains(field) {
            check.fail(field, message)
        } else if error.code == .wrongPassphrase, fields.contains("passphrase") {
            check.fail("passphrase", message)
        } else {
            check.failForm(message)
        }
    }

    /// The service's message as a sentence: capitalised, with a full stop.
    static func sentence(_ message: String) -> String {
        guard let first = message.first else { return message }
        let body = first.uppercased() + message.dropFirst()
        return body.hasSuffix(".") || body.hasSuffix("?") || body.hasSuffix("!") ? body : body + "."
    }
}
