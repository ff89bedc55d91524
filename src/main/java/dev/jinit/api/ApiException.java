package dev.jinit.api;

/**
 * A request that ends in an HTTP error: the status and a sentence for the client, sent as
 * {@code {"error": {"status": 404, "message": "..."}}}.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    /** Extra response header (Allow for 405, Retry-After for 429, WWW-Authenticate for 401), or null. */
    final String headerName, headerValue;

    ApiException(int status, String message) {
        this(status, message, null, null);
    }

    ApiException(int status, String message, String headerName, String headerValue) {
        super(message, null, false, false);
        this.status = status;
        this.headerName = headerName;
        this.headerValue = headerValue;
    }

    static ApiException notFound(String what) {
        return new ApiException(404, what);
    }

    static ApiException badRequest(String what) {
        return new ApiException(400, what);
    }

    static ApiException methodNotAllowed(String method, String path, String allowed) {
        return new ApiException(405, method + " is not allowed on " + path + " (allowed: " + allowed + ")", "Allow", allowed);
    }
}
