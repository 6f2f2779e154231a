/// The agent API's settings endpoints and the passphrase change.
import Agent
import HTTPServer

extension AgentAPI {
    func settings() throws -> HTTPServer.Response {
        Self.json(Settings(try service.settings()))
    }

    func saveSettings(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let body = try Self.decode(Settings.self, from: request)
        try service.saveSettings(try body.agentSettings(keeping: try service.settings()))
        return try settings()
    }

    func changePassphrase(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let body = try Self.decode(PassphraseChange.self, from: request)
        guard let pin = body.securityPIN, !pin.isEmpty else {
            throw APIError(.pinRequired, field: "securityPIN", "changing the passphrase needs a security PIN: generate one in the vault portal "
                + "and send it as securityPIN")
        }
        try service.changePassphrase(current: body.current, new: body.new, securityPIN: pin)
        return Self.noContent()
    }
}

extension AgentAPI.Settings {
    /// The wire form of the stored settings, without the SMTP password.
    init(_ settings: AgentSettings) {
        self.init(cacheDirectory: settings.cacheDirectory,
                  throttle: settings.throttle.map {
                      AgentAPI.Throttle(workBytesPerSecond: $0.workBytesPerSecond, otherBytesPerSecond: $0.otherBytesPerSecond,
                                        workDays: $0.workDays.sorted().map(\.apiName), workStart: $0.workStart.description,
                                        workEnd: $0.workEnd.description)
                  },
                  proxy: settings.proxy, webhookURL: settings.webhookURL,
                  smtp: settings.smtp.map {
                      AgentAPI.SMTP(url: $0.url, from: $0.from, to: $0.to, username: $0.username, password: nil,
                                    hasPassword: $0.password != nil)
                  })
    }

    /// The settings this wire form means; an SMTP password left out keeps the stored one.
    func agentSettings(keeping stored: AgentSettings) throws -> AgentSettings {
        var settings = stored
        settings.cacheDirectory = cacheDirectory
        settings.proxy = proxy.flatMap { $0.isEmpty ? nil : $0 }
        settings.webhookURL = webhookURL.flatMap { $0.isEmpty ? nil : $0 }
        if let throttle {
            guard throttle.workBytesPerSecond > 0, throttle.otherBytesPerSecond > 0 else {
                throw APIError(.invalidRequest, field: "throttle", "bandwidth limits are positive numbers of bytes per second")
            }
            guard let start = TimeOfDay(throttle.workStart), let end = TimeOfDay(throttle.workEnd) else {
                throw APIError(.invalidRequest, field: "throttle", "work hours are HH:MM on a 24-hour clock, such as 09:00 and 18:00")
            }
            let days = try throttle.workDays.map { try Weekday(apiName: $0, field: "throttle") }
            settings.throttle = AgentSettings.Throttle(workBytesPerSecond: throttle.workBytesPerSecond,
                                                       otherBytesPerSecond: throttle.otherBytesPerSecond, workDays: Set(days),
                                                       workStart: start, workEnd: end)
        } else {
            settings.throttle = nil
        }
        if let smtp {
            let keptPassword = stored.smtp.flatMap { $0.url == smtp.url && $0.username == smtp.username ? $0.password : nil }
            settings.smtp = AgentSettings.SMTPSettings(url: smtp.url, from: smtp.from, to: smtp.to, username: smtp.username,
                                                       password: smtp.password ?? keptPassword)
        } else {
            settings.smtp = nil
        }
        return settings
    }
}
