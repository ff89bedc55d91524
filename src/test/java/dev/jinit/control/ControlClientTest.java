package dev.jinit.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jinit.log.LogLine;
import dev.jinit.log.Stream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's line reading against a scripted server: lines of every length, split anywhere. */
class ControlClientTest {
    @TempDir
    Path state;

    @Test
    void followedLinesArriveWholeWhateverTheirLengthAndSplits() throws Exception {
        List<LogLine> sent = new ArrayList<>();
        // Short lines many to a read, lines longer than the client's 64 KiB buffer, and multibyte
        // characters that straddle the buffer's end somewhere.
        for (int len : new int[] {0, 1, 10, 65_000, 65_536, 70_000, 200_000, 3, 131_071})
            sent.add(new LogLine(Instant.ofEpochSecond(1_700_000_000L, len), "web.service", Stream.STDOUT,
                    "é€".repeat(len / 5) + "x".repeat(len % 5)));
        for (int i = 0; i < 2_000; i++)
            sent.add(new LogLine(Instant.ofEpochSecond(1_700_000_001L, i), "web.service", Stream.STDERR, "line " + i));

        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(StateDir.controlSocket(state)));
            CompletableFuture<Void> script = CompletableFuture.runAsync(() -> {
                try (SocketChannel ch = server.accept()) {
                    ByteBuffer request = ByteBuffer.allocate(4096);
                    while (request.position() == 0 || request.get(request.position() - 1) != '\n') ch.read(request);
                    StringBuilder out = new StringBuilder(Protocol.encode(new Response(List.of(), List.of(), List.of(), null)));
                    out.append('\n');
                    for (LogLine l : sent) out.append(Protocol.encode(l)).append('\n');
                    ByteBuffer bytes = ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
                    // Odd-sized writes, so the client's reads end in the middle of lines and characters.
                    while (bytes.hasRemaining()) {
                        ByteBuffer piece = bytes.slice(bytes.position(), Math.min(7_777, bytes.remaining()));
                        while (piece.hasRemaining()) ch.write(piece);
                        bytes.position(bytes.position() + piece.capacity());
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            List<LogLine> got = new ArrayList<>();
            try (ControlClient client = ControlClient.connect(state)) {
                Response r = client.call(new Request(Command.LOGS, List.of("web.service"), 10, true));
                assertEquals(null, r.error());
                client.stream(got::add);
            }
            script.get(30, TimeUnit.SECONDS);
            assertEquals(sent, got);
        }
    }
}
