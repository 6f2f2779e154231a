/// The Settings page: cache folder, throttling, proxy, notifications, change passphrase, unregister.
import Agent
import Foundation
import HTTPServer
import Web

extension AgentPages {
    func settingsPage(_ request: WebRequest, forms: [String: FormValidation] = [:], status: Int = 200) throws -> Response {
        let settings = try serviceCall { try service.settings() }
        let registration = registration()
        let general = forms["general"] ?? SettingsForm.general(settings)
        let notifications = forms["notifications"] ?? SettingsForm.notifications(settings)
        let workDays = Set((general.values["workDaysList"] ?? "").split(separator: ",").compactMap { Int($0) })
        return try request.page("agent/settings", title: "Settings", [
            "general": general.context, "notifications": notifications.context,
            "passphrase": (forms["passphrase"] ?? FormValidation(FormData())).context,
            "unregister": (forms["unregister"] ?? FormValidation(FormData())).context,
            "throttle": general.values["throttle"] == "on",
            "days": Weekday.allCases.map { ["value": $0.rawValue, "name": $0.name, "checked": workDays.contains($0.rawValue)] },
            "registered": registration != nil, "machine": registration?.machineName ?? "", "vault": registration?.vaultName ?? "",
            "stateDirectory": service.configuration.stateDirectory,
        ], status: status)
    }

    func saveSettings(_ request: WebRequest) throws -> Response {
        var current = try serviceCall { try service.settings() }
        var check = SettingsForm.parseGeneral(request.form, into: &current)
        if check.isValid {
            do {
                try service.saveSettings(current)
                return try request.redirect(to: "/settings", flash: .success("Settings saved. They apply from the next transfer on."))
            } catch let error as AgentError where error.code != .io {
                Self.record(error, in: &check, fields: ["cacheDirectory", "proxy", "workRate", "otherRate", "workStart", "workEnd"])
            }
        }
        return try settingsPage(request, forms: ["general": check], status: 422)
    }

    func saveNotifications(_ request: WebRequest) throws -> Response {
        var current = try serviceCall { try service.settings() }
        var check = SettingsForm.parseNotifications(request.form, into: &current)
        if check.isValid {
            do {
                try service.saveSettings(current)
                return try request.redirect(to: "/settings", flash: .success("Notification settings saved."))
            } catch let error as AgentError where error.code != .io {
                Self.record(error, in: &check, fields: ["webhookURL", "smtpURL", "smtpFrom", "smtpTo"])
            }
        }
        check.forget("smtpPassword")
        return try settingsPage(request, forms: ["notifications": check], status: 422)
    }

    func changePassphrase(_ request: WebRequest) throws -> Response {
        var check = FormValidation(request.form)
        let current = check.values["current"] ?? "", new = check.values["new"] ?? ""
        check.expect(!current.isEmpty, "current", "Type the current passphrase.")
        check.expect(new.count >= Self.minimumPassphraseLength, "new", "Use at least \(Self.minimumPassphraseLength) characters (this one has \(new.count)).")
        check.expect(new == check.values["confirm"], "confirm", "The two new passphrases differ.")
        check.expect(new != current || new.isEmpty, "new", "The new passphrase is the current one; choose another.")
        let pin = check.required("pin", "Generate a security PIN in the vault portal (vault page → Generate security PIN) and type it here.")
        if check.isValid, let pin {
            do {
                try service.changePassphrase(current: current, new: new, securityPIN: pin)
                return try request.redirect(to: "/settings", flash: .success(
                    "Passphrase changed. Keep the new one safe: it is needed to recover this server's data on another machine."))
            } catch let error as AgentError where error.code != .io {
                Self.record(error, in: &check, fields: ["current", "new", "pin"])
                if error.code == .wrongPassphrase, error.field == nil { check.fail("current", Self.sentence(error.message)) }
            }
        }
        check.forget("current", "new", "confirm", "pin")
        return try settingsPage(request, forms: ["passphrase": check], status: 422)
    }

    func unregister(_ request: WebRequest) throws -> Response {
        guard let registration = registration() else {
            return try request.redirect(to: "/register", flash: .info("This server is not registered."))
        }
        var check = FormValidation(request.form)
        check.expect(check.values["confirmName"] == registration.machineName, "confirmName",
                     "Type the server's name, \(registration.machineName), to confirm.")
        guard check.isValid else { return try settingsPage(request, forms: ["unregister": check], status: 422) }
        try serviceCall { try service.unregister() }
        return try request.redirect(to: "/overview", flash: .success(
            "\(registration.machineName) is unregistered. Its recovery points stay in the vault \(registration.vaultName) and can be recovered from another server."))
    }
}
