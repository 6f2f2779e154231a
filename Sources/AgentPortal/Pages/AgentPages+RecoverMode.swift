/// What the Recover data wizard recovers — files and folders, a whole volume, or the system state — and the words each
/// choice changes on its pages.
import Agent
import Foundation
import HTTPServer
import Web

extension AgentPages {
    /// The system state's own recovery page, once its recovery point is chosen: its components, restore to a folder,
    /// and the System State file (never a restore over the running system).
    func recoverSystemState(_ request: WebRequest, _ wizard: RecoverWizard, point: RecoveryPointInfo, check: FormValidation) throws
        -> Response?
    {
        try systemStateComponents(request, wizard, check: check)
    }

    /// The point step's text when the source has no recovery point of the chosen kind.
    static func emptyText(_ wizard: RecoverWizard) -> [String: String] {
        let whose = wizard.source == "other" ? "That server" : "This server"
        let (title, text) = switch wizard.mode {
        case "volume":
            ("No recovery points of volumes", "\(whose) has no recovery point of a whole volume. Choose volumes to protect on Schedule backup, "
                + "or go back and recover files and folders.")
        case "system-state":
            ("No recovery points of the system state", "\(whose) has no recovery point of its system state. Protect it on Schedule backup, "
                + "or go back and recover files and folders.")
        default:
            ("No recovery points yet", "\(whose) has no recovery point in the vault. Back it up first, or choose another server.")
        }
        return ["title": title, "text": text]
    }

    static func nextLabel(_ wizard: RecoverWizard) -> String {
        switch wizard.mode {
        case "volume": "Next: destination"
        case "system-state": "Next: system state"
        default: "Next: files and folders"
        }
    }
}
