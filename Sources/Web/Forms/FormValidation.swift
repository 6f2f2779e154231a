/// FormValidation owns checking a submitted form field by field, so a page can re-render with what was typed.

/// Collects per-field error messages while a page checks a form, and keeps the typed values.
///
/// ```swift
/// var check = FormValidation(request.form)
/// let name = check.required("name", "Give the vault a name.")
/// check.expect(name.count <= 64, "name", "Use at most 64 characters.")
/// guard check.isValid else { return try app.page("vaults/new", title: "New vault", request, check.context) }
/// ```
/// In the template: `value="{{form.values.name}}"` and `{{#form.errors.name}}<p class="field-error">{{.}}</p>{{/form.errors.name}}`.
public struct FormValidation: Sendable {
    /// What was typed, by field name (first value of each field). Secrets should be removed with `forget`.
    public var values: [String: String]
    /// The first error message of each field that failed.
    public private(set) var errors: [String: String] = [:]
    /// Messages not tied to one field, shown above the form.
    public private(set) var formErrors: [String] = []

    /// - Parameter form: the submitted form.
    public init(_ form: FormData) {
        values = form.firstValues
    }

    /// True when no check failed.
    public var isValid: Bool { errors.isEmpty && formErrors.isEmpty }

    /// The trimmed value of `field`, or nil (with `message` recorded) when it is missing or blank.
    @discardableResult
    public mutating func required(_ field: String, _ message: String) -> String? {
        let value = values[field]?.trimmingCharacters(in: " \t\r\n") ?? ""
        guard !value.isEmpty else {
            fail(field, message)
            return nil
        }
        return value
    }

    /// Records `message` for `field` unless `condition` holds.
    public mutating func expect(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { fail(field, message) }
    }

    /// Records `message` for `field` (the first message of a field wins).
    public mutating func fail(_ field: String, _ message: String) {
        if errors[field] == nil { errors[field] = message }
    }

    /// Records a message about the whole form.
    public mutating func failForm(_ message: String) {
        formErrors.append(message)
    }

    /// Drops typed values that must not be echoed back into the page (passwords, passphrases).
    public mutating func forget(_ fields: String...) {
        for field in fields { values[field] = nil }
    }

    /// `["values": …, "errors": …, "formErrors": […], "hasErrors": Bool]`, to pass as `form` in a view context.
    public var context: [String: Any] {
        ["values": values, "errors": errors, "formErrors": formErrors, "hasErrors": !isValid]
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
