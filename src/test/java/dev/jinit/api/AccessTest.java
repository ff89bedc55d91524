package dev.jinit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of the API's security that need no server: addresses, tokens, origins, the limiter. */
class AccessTest {
    @Test
    void addressesParseAndKnowLoopback() {
        assertEquals(new ApiAddress("127.0.0.1", 8080), ApiAddress.parse("127.0.0.1:8080"));
        assertEquals(new ApiAddress("::1", 0), ApiAddress.parse("[::1]:0"));
        assertTrue(ApiAddress.parse("127.0.0.1:1").isLoopback());
        assertTrue(ApiAddress.parse("[::1]:1").isLoopback());
        assertTrue(ApiAddress.parse("localhost:1").isLoopback());
        assertFalse(ApiAddress.parse("0.0.0.0:1").isLoopback(), "the wildcard reaches every interface");
        assertFalse(ApiAddress.parse("[::]:1").isLoopback());
        assertFalse(ApiAddress.parse("10.0.2.15:80").isLoopback());
        for (String bad : new String[] {"8080", ":8080", "host:", "host:x", "host:70000", "::1:80", "[::1]80", "[::1]"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiAddress.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertEquals("[::1]:80", ApiAddress.parse("[::1]:80").toString());
    }

    @Test
    void tokenFileIsMadeOnceWithMode0600(@TempDir Path dir) throws Exception {
        ApiToken made = ApiToken.readOrCreate(dir);
        Path file = dir.resolve(ApiToken.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String text = Files.readString(file).strip();
        assertEquals(64, text.length());
        assertTrue(made.matches(text));
        assertFalse(made.matches(text.substring(1)));
        assertFalse(made.matches(text + "x"));
        assertFalse(made.matches(null));
        assertTrue(ApiToken.readOrCreate(dir).matches(text), "a second start reads the same token");
    }

    @Test
    void badTokensAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t");
        Files.writeString(f, "short\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiToken.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("16"), e.getMessage());
        Files.writeString(f, "has;a;semicolon;and;is;long\n");
        e = assertThrows(IllegalArgumentException.class, () -> ApiToken.read(f));
        assertTrue(e.getMessage().contains("';'"), e.getMessage());
    }

    @Test
    void bearerAndOrigin() {
        assertEquals("abc", Access.bearer("Bearer abc"));
        assertEquals("abc", Access.bearer("bearer  abc "));
        assertNull(Access.bearer("Basic abc"));
        assertNull(Access.bearer(null));
        assertTrue(Access.sameOrigin(null, "127.0.0.1:8080", false), "no Origin: not a browser's cross-site request");
        assertTrue(Access.sameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080", false));
        assertTrue(Access.sameOrigin("http://[::1]:8080", "[::1]:8080", false));
        assertTrue(Access.sameOrigin("http://vm", "vm", false));
        assertFalse(Access.sameOrigin("http://127.0.0.1:8081", "127.0.0.1:8080", false));
        assertFalse(Access.sameOrigin("http://evil.example", "127.0.0.1:8080", false));
        assertFalse(Access.sameOrigin("https://vm", "vm", false), "an https page is another origin than this http server");
        assertTrue(Access.sameOrigin("https://vm", "vm", true));
        assertFalse(Access.sameOrigin("http://vm:443", "vm", true));
        assertFalse(Access.sameOrigin("null", "vm", false));
    }

    @Test
    void limiterRefusesAfterTenFailuresForOneWindowPerAddress() {
        AtomicLong now = new AtomicLong();
        BadTokenLimiter l = new BadTokenLimiter(now::get);
        for (int i = 0; i < BadTokenLimiter.MAX_FAILURES - 1; i++) l.failed("a");
        assertEquals(0, l.retryAfterSeconds("a"));
        l.failed("a");
        assertEquals(60, l.retryAfterSeconds("a"));
        assertEquals(0, l.retryAfterSeconds("b"), "another address is not punished");
        now.addAndGet(BadTokenLimiter.WINDOW.toNanos() - 1_000_000_000L);
        assertEquals(1, l.retryAfterSeconds("a"));
        now.addAndGet(1_000_000_000L);
        assertEquals(0, l.retryAfterSeconds("a"), "the window has passed");
    }

    @Test
    void accessAnswers401And429() {
        Access open = new Access(null);
        open.authorize("1.2.3.4", null); // loopback without a token file: nothing asked
        Access locked = new Access(new ApiToken("0123456789abcdef0123"));
        assertEquals(401, assertThrows(ApiException.class, () -> locked.authorize("x", null)).status);
        locked.authorize("x", "0123456789abcdef0123");
        for (int i = 0; i < BadTokenLimiter.MAX_FAILURES; i++)
            assertEquals(401, assertThrows(ApiException.class, () -> locked.authorize("x", "wrong")).status);
        ApiException limited = assertThrows(ApiException.class, () -> locked.authorize("x", "0123456789abcdef0123"));
        assertEquals(429, limited.status);
        assertEquals("Retry-After", limited.headerName);
    }

    @Test
    void unitNamesAndLineCounts() {
        assertEquals("web.service", ApiRoutes.name("web"));
        assertEquals("multi-user.target", ApiRoutes.name("multi-user.target"));
        assertEquals(400, assertThrows(ApiException.class, () -> ApiRoutes.name("")).status);
        assertEquals(100, ApiRoutes.lines(null));
        assertEquals(0, ApiRoutes.lines("0"));
        assertEquals(400, assertThrows(ApiException.class, () -> ApiRoutes.lines("-1")).status);
        assertEquals(400, assertThrows(ApiException.class, () -> ApiRoutes.lines("1e3")).status);
        assertEquals(400, assertThrows(ApiException.class, () -> ApiRoutes.lines("100001")).status);
    }
}
