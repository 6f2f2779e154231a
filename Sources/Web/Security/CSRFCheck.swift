/// CSRFCheck owns deciding whether a state-changing request carries its session's CSRF token.
import Crypto
import HTTPServer

/// Every POST, PUT, PATCH and DELETE must carry the session's token in the `_csrf` form field or the
/// `X-CSRF-Token` header; the comparison takes the same time whatever the token holds.
public enum CSRFCheck {
    /// The form field forms carry the token in.
    public static let fieldName = "_csrf"
    /// The header scripts carry the token in.
    public static let headerName = "X-CSRF-Token"

    /// True for methods that change state and so need the token.
    public static func applies(to method: String) -> Bool {
        ["POST", "PUT", "PATCH", "DELETE"].contains(method.uppercased())
    }

    /// Nil when the request carries `session`'s token; otherwise the 403 to answer.
    public static func check(_ request: Request, form: FormData, session: Session?) -> WebError? {
        guard let session else {
            return .forbidden("this form has expired (your session ended); reload the page and submit it again")
        }
        let sent = request.headers[headerName] ?? form[fieldName] ?? ""
        guard constantTimeEquals(Array(sent.utf8), Array(session.csrfToken.utf8)) else {
            return .forbidden("this form's security token is missing or out of date; reload the page and submit it again")
        }
        return nil
    }
}
