/// SettingsForm owns the Settings page's two forms: agent settings as fields, and fields back into settings.
import Agent
import Foundation
import Web

/// Bandwidth is entered in Mbit/s (as network links are sold) and stored in bytes per second.
enum SettingsForm {
    static let bytesPerMegabit = 125_000.0

    static func general(_ settings: AgentSettings) -> FormValidation {
        var form = FormValidation(FormData())
        var values = ["cacheDirectory": settings.cacheDirectory, "proxy": settings.proxy ?? "",
                      "workStart": "08:00", "workEnd": "18:00", "workRate": "10", "otherRate": "100", "workDaysList": "2,3,4,5,6"]
        if let throttle = settings.throttle {
            values["throttle"] = "on"
            values["workRate"] = megabits(throttle.workBytesPerSecond)
            values["otherRate"] = megabits(throttle.otherBytesPerSecond)
            values["workStart"] = throttle.workStart.description
            values["workEnd"] = throttle.workEnd.description
            values["workDaysList"] = throttle.workDays.map { String($0.rawValue) }.joined(separator: ",")
        }
        form.values = values
        return form
    }

    static func notifications(_ settings: AgentSettings) -> FormValidation {
        var form = FormValidation(FormData())
        form.values = ["webhookURL": settings.webhookURL ?? "", "smtpURL": settings.smtp?.url ?? "", "smtpFrom": settings.smtp?.from ?? "",
                       "smtpTo": settings.smtp?.to ?? "", "smtpUsername": settings.smtp?.username ?? ""]
        return form
    }

    /// Reads the cache, proxy and throttling fields into `settings`; the returned check holds what is wrong.
    static func parseGeneral(_ data: FormData, into settings: inout AgentSettings) -> FormValidation {
        var check = FormValidation(data)
        check.values["workDaysList"] = data.values("workDay").joined(separator: ",")
        if let cache = check.required("cacheDirectory", "Give the cache folder: a local folder where packs wait for upload.") {
            check.expect(cache.hasPrefix("/"), "cacheDirectory", "Give the cache folder as an absolute path, such as /var/cache/haven.")
            settings.cacheDirectory = cache
        }
        let proxy = check.values["proxy"]?.trimmingCharacters(in: .whitespaces) ?? ""
        if !proxy.isEmpty {
            let valid = URLComponents(string: proxy).map { ["http", "https", "socks5"].contains($0.scheme ?? "") && $0.host?.isEmpty == false } ?? false
            check.expect(valid, "proxy", "Give the proxy as http://host:port (or https://, socks5://), or leave it empty to use the environment's.")
        }
        settings.proxy = proxy.isEmpty ? nil : proxy
        guard check.values["throttle"] == "on" else {
            settings.throttle = nil
            return check
        }
        let work = rate(&check, "workRate"), other = rate(&check, "otherRate")
        let start = TimeOfDay(check.values["workStart"] ?? ""), end = TimeOfDay(check.values["workEnd"] ?? "")
        check.expect(start != nil, "workStart", "Enter when work hours start as HH:MM, such as 08:00.")
        check.expect(end != nil, "workEnd", "Enter when work hours end as HH:MM, such as 18:00.")
        if let start, let end { check.expect(start < end, "workEnd", "Work hours must end after they start.") }
        let days = Set(data.values("workDay").compactMap { Int($0).flatMap(Weekday.init(rawValue:)) })
        check.expect(!days.isEmpty, "workDays", "Choose the work days (the limit for work hours applies on them).")
        if let work, let other, let start, let end, !days.isEmpty {
            settings.throttle = AgentSettings.Throttle(workBytesPerSecond: work, otherBytesPerSecond: other, workDays: days,
                                                       workStart: start, workEnd: end)
        }
        return check
    }

    /// Reads the webhook and e-mail fields into `settings`.
    static func parseNotifications(_ data: FormData, into settings: inout AgentSettings) -> FormValidation {
        var check = FormValidation(data)
        let webhook = check.values["webhookURL"]?.trimmingCharacters(in: .whitespaces) ?? ""
        if !webhook.isEmpty {
            let scheme = URLComponents(string: webhook)?.scheme
            check.expect(scheme == "https" || scheme == "http", "webhookURL", "Give the webhook as an http:// or https:// address.")
        }
        settings.webhookURL = webhook.isEmpty ? nil : webhook
        let url = check.values["smtpURL"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !url.isEmpty else {
            settings.smtp = nil
            return check
        }
        let scheme = URLComponents(string: url)?.scheme
        check.expect(scheme == "smtp" || scheme == "smtps", "smtpURL", "Give the mail server as smtp://host:587 or smtps://host:465.")
        let from = check.required("smtpFrom", "Give the sender address, such as haven@example.com.")
        let to = check.required("smtpTo", "Give who receives the notifications, such as ops@example.com.")
        if let from { check.expect(from.contains("@"), "smtpFrom", "The sender must be an e-mail address.") }
        if let to { check.expect(to.contains("@"), "smtpTo", "The recipient must be an e-mail address.") }
        let username = check.values["smtpUsername"].flatMap { $0.isEmpty ? nil : $0 }
        let password = check.values["smtpPassword"].flatMap { $0.isEmpty ? nil : $0 } ?? settings.smtp?.password
        if let from, let to {
            settings.smtp = AgentSettings.SMTPSettings(url: url, from: from, to: to, username: username, password: password)
        }
        check.forget("smtpPassword")
        return check
    }

    private static func rate(_ check: inout FormValidation, _ field: String) -> Int? {
        guard let megabits = Double(check.values[field]?.trimmingCharacters(in: .whitespaces) ?? ""), megabits > 0, megabits <= 100_000 else {
            check.fail(field, "Enter a bandwidth in Mbit/s, greater than 0 (such as 10 or 0.5).")
            return nil
        }
        return Int((megabits * bytesPerMegabit).rounded())
    }

    private static func megabits(_ bytesPerSecond: Int) -> String {
        let value = Double(bytesPerSecond) / bytesPerMegabit
        return value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
