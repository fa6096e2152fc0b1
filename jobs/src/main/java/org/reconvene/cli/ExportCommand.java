package org.reconvene.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.reconvene.data.DatasetLoader;
import org.reconvene.data.ImageDataset;
import org.reconvene.deploy.InputTransform;
import org.reconvene.deploy.OnnxExport;
import org.reconvene.deploy.OnnxModel;
import org.reconvene.deploy.OrtNetwork;
import org.reconvene.engine.Engines;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;
import org.reconvene.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Exports a saved network ({@code train}, {@code prune} and sweeps write them) to an ONNX file
 * that ONNX Runtime runs as it is: pixels in, logits out (docs/DEPLOY.md).
 *
 * <pre>
 * bin/reconvene export --model-dir runs/prune/model --out model.onnx
 * </pre>
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a saved network to ONNX (opset 13): float pixels in [0, 1], NCHW, dynamic batch; "
                + "padding and normalisation inside the graph; BatchNorm folded; logits out. The file is loaded "
                + "back in ONNX Runtime and checked before the command succeeds.")
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--model-dir", required = true, description = "A saved network: DIR/model of train or prune.")
    Path modelDir;

    @Option(names = "--out", required = true, description = "The ONNX file to write.")
    Path out;

    @Option(names = "--data",
            description = "Dataset directory or URI to take the normalisation from, when DIR has no input.json.")
    String data;

    @Option(names = "--dataset", description = "Dataset name of --data when its layout does not say.")
    String dataset;

    @Override
    public Integer call() {
        requireWritable(out);
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("--model-dir " + modelDir + " is not a directory");
        }
        if (!Files.isRegularFile(modelDir.resolve(NetworkStore.SPEC))) {
            throw new IllegalArgumentException("--model-dir " + modelDir + " holds no saved network: missing "
                    + modelDir.resolve(NetworkStore.SPEC));
        }
        OnnxModel model;
        try (Network net = NetworkStore.load(modelDir)) {
            InputTransform input = input();
            Map<String, Object> meta = new LinkedHashMap<>(summary());
            Provenance.capture("export", Instant.now()).toMap().forEach((k, v) -> meta.put("provenance." + k, v));
            model = OnnxExport.builder().setNetwork(net).setInput(input).optMetadata(meta).build();
        }
        // Refuse to leave a file ONNX Runtime cannot load.
        try (OrtNetwork ort = OrtNetwork.open(model, Math.max(1, Engines.threads()))) {
            System.out.printf("input %s [batch, %d, %d, %d] -> %s%n", ort.inputName(), ort.channels(), ort.side(),
                    ort.side(), ort.outputName());
        }
        model.write(out);
        System.out.printf("wrote %s: %,d bytes (%,d gzipped), opset %d%n", out, model.bytes(), model.gzipBytes(),
                OnnxExport.OPSET);
        return 0;
    }

    /** Refuses an --out that cannot be written before any work: a directory, or a place that takes no new file. */
    static void requireWritable(Path out) {
        Path target = out.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("--out " + out + " is a directory; name the file to write");
        }
        Path dir = target.getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IllegalArgumentException("--out " + out + ": cannot write in " + dir
                    + (dir != null && Files.exists(dir) && !Files.isDirectory(dir) ? " (a file)" : " (not writable)"));
        }
    }

    private InputTransform input() {
        if (data != null) {
            int side = NetworkStore.readSpec(modelDir).inputSize();
            ImageDataset ds = dataset == null ? DatasetLoader.load(data, side) : DatasetLoader.load(data, dataset, side);
            return InputTransform.of(ds);
        }
        return InputTransform.read(modelDir).orElseThrow(() -> new IllegalArgumentException(
                "no normalisation for " + modelDir + ": " + modelDir.resolve(InputTransform.FILE)
                        + " is missing (networks pruned without --data have none); pass --data"));
    }

    /** What the run that saved the network recorded about it (DIR/../summary.json), where present. */
    private Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        Path parent = modelDir.toAbsolutePath().getParent();
        Path f = parent == null ? null : parent.resolve("summary.json");
        if (f == null || !Files.isRegularFile(f)) {
            return m;
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            for (String k : new String[] {"model", "dataset", "method", "scorer", "sparsity", "seed", "trial_id"}) {
                if (o.has(k) && !o.get(k).isJsonNull()) {
                    m.put(k, o.get(k).getAsString());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException(f + " is not a readable summary: " + e.getMessage());
        }
        return m;
    }
}
