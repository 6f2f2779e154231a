/// HTTPServer owns libmicrohttpd: it runs a daemon and turns its callbacks into request/response handlers.
public enum HTTPServer {}
