/// The system state of a recovery point (docs/system-state.md): its components with status and contents, restoring it
/// to a folder, and downloading its System State file. Reached from the recover wizard's recovery point step; the
/// wizard's state (the other server's passphrase included) travels in the POST body as it does in the wizard.
import Agent
import Foundation
import HTTPServer
import Web

extension AgentPages {
    func systemStatePage(_ request: WebRequest) throws -> Response {
        guard registration() != nil else { return try notRegisteredPage(request, title: "System state") }
        return try systemStateComponents(request, RecoverWizard(request.form), check: FormValidation(request.form))
    }

    func systemStateComponents(_ request: WebRequest, _ wizard: RecoverWizard, check: FormValidation, folder: String = "",
                                       status: Int = 200) throws -> Response {
        guard !wizard.point.isEmpty else {
            throw WebError.badRequest("choose a recovery point of the System state item first, on Recover data")
        }
        let info = try serviceCall {
            try service.systemState(machine: wizard.sourceMachine, passphrase: wizard.sourcePassphrase, point: wizard.point)
        }
        let components = info.components.map { component -> [String: Any] in
            [
                "id": component.id, "title": component.title, "description": component.description,
                "status": component.status.replacingOccurrences(of: "-", with: " "), "badge": Self.statusBadge(component.status),
                "message": component.message ?? "", "hasMessage": component.message != nil,
                "files": component.files, "size": Format.size(Int64(clamping: component.bytes)),
                "paths": component.paths.filter(\.present).map(\.path),
                "missing": component.paths.filter { !$0.present }.map(\.path),
                "hasMissing": component.paths.contains { !$0.present },
                "commands": component.commands.map { command -> [String: Any] in
                    ["command": command.command, "status": command.status.replacingOccurrences(of: "-", with: " "),
                     "badge": Self.statusBadge(command.status), "exit": command.exitStatus.map { "exit \($0)" } ?? "",
                     "message": command.message ?? ""]
                } + component.generated.map { output -> [String: Any] in
                    ["command": "read " + output.source, "status": output.status, "badge": Self.statusBadge(output.status), "exit": "",
                     "message": output.message ?? ""]
                },
            ]
        }
        return try request.page("agent/system-state", title: "System state", [
            "form": check.context, "hidden": wizard.hidden(for: .start), "sourceName": wizard.sourceMachine == nil
                ? "this server (\(registration()?.machineName ?? ""))" : ((try? service.machines())?.first { $0.id == wizard.machine }?.name ?? wizard.machine),
            "hostname": info.hostname, "os": info.os, "kernel": info.kernel, "architecture": info.architecture,
            "collected": info.collectedAt.map { Format.time($0) } ?? "unknown", "point": info.recoveryPoint,
            "components": components, "fileName": info.fileName, "folder": folder,
            "permissions": request.form["folder"] == nil ? true : request.form["statePermissions"] == "on",
        ], status: status)
    }

    /// Restores the whole point under a folder: never over the running system.
    func systemStateRestore(_ request: WebRequest) throws -> Response {
        guard registration() != nil else { return try notRegisteredPage(request, title: "System state") }
        let wizard = RecoverWizard(request.form)
        var check = FormValidation(request.form)
        let folder = (request.form["folder"] ?? "").trimmingCharacters(in: .whitespaces)
        check.expect(folder.hasPrefix("/") && !folder.utf8.contains(0), "folder",
                     "Give the folder to restore the system state into as an absolute path, such as /srv/system-state.")
        let conflict = ["copy", "overwrite", "skip"].contains(request.form["stateConflict"] ?? "") ? request.form["stateConflict"]! : "copy"
        guard check.isValid else { return try systemStateComponents(request, wizard, check: check, folder: folder, status: 422) }
        let job: JobRecord
        do {
            job = try service.restore(RestoreRequest(
                sourceMachine: wizard.sourceMachine, passphrase: wizard.sourcePassphrase, recoveryPoint: wizard.point, paths: [],
                target: .alternate(folder), conflict: conflict, restorePermissions: request.form["statePermissions"] == "on"))
        } catch let error as AgentError where error.code != .io {
            Self.record(error, in: &check, fields: ["folder"])
            return try systemStateComponents(request, wizard, check: check, folder: folder, status: 422)
        }
        return try request.redirect(to: "/jobs/\(job.id)", flash: .success(
            "The system state is being restored under \(folder). Nothing is applied to the running system."))
    }

    /// The System State file, streamed from an unlinked file in the cache folder.
    func systemStateFile(_ request: WebRequest) throws -> Response {
        guard registration() != nil else { return try notRegisteredPage(request, title: "System state") }
        let wizard = RecoverWizard(request.form)
        guard !wizard.point.isEmpty else { throw WebError.badRequest("choose a recovery point of the System state item first, on Recover data") }
        let file = try serviceCall {
            try service.systemStateFile(machine: wizard.sourceMachine, passphrase: wizard.sourcePassphrase, point: wizard.point)
        }
        let safe = String(file.fileName.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return Response(fileDescriptor: file.descriptor, length: file.size, headers: [
            "Content-Type": "application/gzip", "Content-Disposition": "attachment; filename=\"\(safe)\"",
        ])
    }

    static func statusBadge(_ status: String) -> String {
        switch status {
        case "ok": "ok"
        case "partial": "warning"
        case "failed": "failed"
        default: "info"
        }
    }
}
