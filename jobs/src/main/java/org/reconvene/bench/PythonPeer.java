package org.reconvene.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a PyTorch reference script of {@code bench/} (Debian's python3-torch) and reads the one
 * JSON line it prints: the peer figure a benchmark sets beside its own in the same run.
 */
final class PythonPeer {

    private PythonPeer() {}

    /** {@code python script args...}; its stderr goes to ours, its stdout must be one JSON object. */
    static JsonObject run(String python, Path script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("the PyTorch reference failed: " + String.join(" ", cmd));
            }
            return JsonParser.parseString(out.strip()).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + python + " (install python3-torch)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
