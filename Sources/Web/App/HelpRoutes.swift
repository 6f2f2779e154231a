/// HelpRoutes owns the built-in help section: /help lists `docs/*.md`, /help/:name renders one.

/// The routes /help and /help/:name.
enum HelpRoutes {
    static func routes(_ services: WebServices) -> Router {
        var router = Router()
        router.get("/help") { request in
            let pages = services.help.list().map { ["name": $0.name, "title": $0.title] }
            return try request.page("help/index", title: "Help", ["pages": pages, "empty": pages.isEmpty])
        }
        router.get("/help/:name") { request in
            let page = try services.help.render(try request.parameter("name"))
            return try request.page("help/page", title: page.title, ["html": page.html])
        }
        return router
    }
}
