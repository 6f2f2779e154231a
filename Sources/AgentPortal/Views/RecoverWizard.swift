/// RecoverWizard owns the Recover data wizard's state as it travels in hidden POST fields from step to step.
import Foundation
import Web

/// Everything chosen so far in the wizard. It lives in the page (hidden fields of one POST form), never in the
/// session or the URL, so the wizard works without script and the other server's passphrase is never stored.
struct RecoverWizard {
    enum Step: String, CaseIterable { case source, point, items, options, start }

    /// "this" or "other".
    var source = "this"
    /// The other server's machine id.
    var machine = ""
    /// The other server's passphrase; only ever in a POST body.
    var passphrase = ""
    /// What is recovered: "files" (files and folders, browsed in a point of any item but the system state), "volume"
    /// (a whole volume) or "system-state".
    var mode = "files"
    /// "kind:name" of the backup item.
    var item = ""
    /// "YYYY-MM" shown in the calendar.
    var month = ""
    /// "YYYY-MM-DD" chosen in the calendar.
    var day = ""
    /// The recovery point id.
    var point = ""
    /// The folder being browsed inside the point.
    var path = "/"
    /// A search pattern inside the point.
    var pattern = ""
    /// Paths inside the point chosen for recovery, in the order chosen.
    var selected: [String] = []
    var target = "original"
    var alternatePath = ""
    var conflict = "copy"
    var permissions = true

    init() {}

    /// The state carried by a submitted wizard form; checkboxes of the step it came from are merged in.
    init(_ form: FormData) {
        source = form["source"] == "other" ? "other" : "this"
        machine = form["machine"] ?? ""
        passphrase = form["passphrase"] ?? ""
        mode = Self.modes.contains(form["mode"] ?? "") ? form["mode"]! : "files"
        item = form["item"] ?? ""
        month = form["month"] ?? ""
        day = form["day"] ?? ""
        point = form["point"] ?? ""
        path = form["path"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/"
        pattern = form["pattern"] ?? ""
        let listed = Set(form.values("listed"))
        var chosen = form.values("selected").filter { !listed.contains($0) }
        for pick in form.values("pick") where !chosen.contains(pick) { chosen.append(pick) }
        selected = chosen
        if form["from"] == "options" || form["target"] != nil {
            target = form["target"] == "alternate" ? "alternate" : "original"
            alternatePath = form["alternatePath"] ?? ""
            conflict = ["copy", "overwrite", "skip"].contains(form["conflict"] ?? "") ? form["conflict"]! : "copy"
            permissions = form["from"] == "options" ? form["permissions"] == "on" : form["permissions"] != "off"
        }
    }

    /// The item's kind and name, split from "kind:name".
    var itemParts: (kind: String, name: String)? {
        guard let colon = item.firstIndex(of: ":") else { return nil }
        return (String(item[..<colon]), String(item[item.index(after: colon)...]))
    }

    static let modes = ["files", "volume", "system-state"]

    /// Whether points of an item of `kind` are offered in this mode.
    func offers(kind: String) -> Bool {
        switch mode {
        case "volume": kind == "volume"
        case "system-state": kind == "system-state"
        default: kind != "system-state"
        }
    }

    var isVolume: Bool { mode == "volume" }

    /// nil for this server, else the other server's id.
    var sourceMachine: String? { source == "other" ? machine : nil }
    var sourcePassphrase: String? { source == "other" ? passphrase : nil }

    /// Hidden fields carrying the state past a step, leaving out the fields that step edits itself.
    func hidden(for step: Step) -> [[String: String]] {
        var fields: [(String, String)] = [("from", step.rawValue)]
        if step != .source {
            fields += [("source", source), ("machine", machine), ("mode", mode)]
            if source == "other" { fields.append(("passphrase", passphrase)) }
        }
        if step != .point { fields += [("item", item), ("month", month), ("day", day), ("point", point)] }
        if step != .items {
            fields += [("path", path), ("pattern", pattern)]
            fields += selected.map { ("selected", $0) }
        }
        if step != .options {
            fields += [("target", target), ("alternatePath", alternatePath), ("conflict", conflict),
                       ("permissions", permissions ? "on" : "off")]
        }
        return fields.filter { !$0.1.isEmpty }.map { ["name": $0.0, "value": $0.1] }
    }
}
