/// Notifier tells the administrator about failed jobs and critical operations: a JSON POST to a webhook, and an email
/// through SMTP, both sent off the caller's thread so a slow receiver never holds up a job or a page.
import Foundation
import HTTPClient

/// One notification, as the webhook receives it (JSON) and the email shows it.
public struct Notification: Codable, Sendable, Equatable {
    /// "job.failed" or "critical".
    public var event: String
    public var machine: String
    public var message: String
    /// RFC 3339.
    public var time: String
    public var jobId: Int64?
}

/// Sends notifications with the settings of the moment; failures are logged to standard error, never thrown.
struct Notifier: Sendable {
    /// Sends `notification` to every receiver `settings` names, on a thread of its own; `done` runs afterwards.
    func send(_ notification: Notification, settings: AgentSettings, done: @escaping @Sendable () -> Void = {}) {
        guard settings.webhookURL != nil || settings.smtp != nil else { return done() }
        Thread.detachNewThread {
            if let url = settings.webhookURL { Self.post(notification, to: url, proxy: settings.proxy) }
            if let smtp = settings.smtp { Self.mail(notification, smtp: smtp) }
            done()
        }
    }

    static func post(_ notification: Notification, to url: String, proxy: String?) {
        var configuration = Client.Configuration()
        configuration.timeout = .seconds(15)
        if let proxy { configuration.proxy = .url(proxy) }
        do {
            let body = Array(try JSONEncoder().encode(notification))
            let response = try Client(configuration: configuration).send(
                Client.Request(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body))
            if !(200...299).contains(response.status) {
                log("the webhook \(url) answered HTTP \(response.status) to a notification")
            }
        } catch {
            log("the notification could not be posted to the webhook \(url): \(error)")
        }
    }

    static func mail(_ notification: Notification, smtp: AgentSettings.SMTPSettings) {
        let subject = notification.event == "job.failed" ? "Haven: a job failed on \(notification.machine)"
            : "Haven: \(notification.machine): \(notification.message.prefix(60))"
        let message = Mail(from: smtp.from, to: [smtp.to], subject: subject,
                           body: "\(notification.message)\n\nMachine: \(notification.machine)\nTime: \(notification.time)\n")
        do {
            try Client.sendMail(message, server: smtp.url, username: smtp.username, password: smtp.password)
        } catch {
            log("the notification could not be mailed through \(smtp.url): \(error)")
        }
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data(("haven agent: " + line + "\n").utf8))
    }
}

extension AgentService {
    enum NotificationKind { case jobFailed(Int64), critical }

    /// Notifies the configured receivers; does nothing when none is configured.
    func notify(_ kind: NotificationKind, _ message: String, done: @escaping @Sendable () -> Void = {}) {
        guard let settings = try? settings() else { return done() }
        var event = "critical"
        var jobId: Int64?
        if case .jobFailed(let id) = kind {
            event = "job.failed"
            jobId = id
        }
        let machine = registration()?.machineName ?? configuration.hostname
        notifier.send(Notification(event: event, machine: machine, message: message, time: Timestamp.format(clock()), jobId: jobId),
                      settings: settings, done: done)
    }
}
