package dev.jinit.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty itself answers (malformed HTTP, headers over the limit, a handler that failed)
 * in the API's JSON form instead of Jetty's HTML page, and without stack traces or versions.
 */
final class JsonErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() > 0 ? response.getStatus() : 500;
        Object message = request.getAttribute(ERROR_MESSAGE);
        HttpEntry.json(response, callback, status, ApiRoutes.error(status, message == null ? reason(status) : message.toString()));
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        String body = ApiRoutes.error(status, reason == null ? reason(status) : reason).toString() + "\n";
        return ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String reason(int status) {
        return org.eclipse.jetty.http.HttpStatus.getMessage(status);
    }
}
