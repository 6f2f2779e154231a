/// HTTPClient owns libcurl: requests with connection reuse, retries, TLS pinning and throttling.
public enum HTTPClient {}
