/// WebApp+Errors owns turning a failure into an error page in the layout: the status and a reason, never a stack trace.
import HTTPServer

extension WebApp {
    func errorPage(for error: any Error, request: Request, session: Session?) -> Response {
        let webError: WebError
        if let known = error as? WebError {
            webError = known
        } else {
            configuration.errorLog?("\(request.method) \(request.path) failed: \(error)")
            webError = WebError(.internalError, "the portal could not complete this request; it has been logged, try again")
        }
        let chrome = Views.Chrome(csrfToken: session?.csrfToken ?? "", path: request.path,
                                  signedIn: session?.isAuthenticated ?? false, flash: nil)
        var response: Response
        do {
            response = try views.page(
                "errors/error", title: webError.code.title,
                context: ["status": webError.status, "message": webError.message], chrome: chrome, status: webError.status)
        } catch {
            configuration.errorLog?("the error page could not be rendered: \(error)")
            response = .text("\(webError.status) \(webError.code.title): \(webError.message)\n", status: webError.status)
        }
        for (name, value) in webError.headers { response.headers[name] = value }
        return response
    }
}
