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
import org.reconvene.deploy.Int8Export;
import org.reconvene.deploy.Int8Measurements;
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
 * bin/reconvene export --model-dir runs/prune/model --out model.int8.onnx --int8 --data /usr/share/datasets/fashion-mnist
 * </pre>
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a saved network to ONNX (opset 13): float pixels in [0, 1], NCHW, dynamic batch; "
                + "padding and normalisation inside the graph; BatchNorm folded; logits out. With --int8, the "
                + "int8 (QDQ) file instead, calibrated on training images of --data. The file is loaded back in "
                + "ONNX Runtime and checked before the command succeeds.")
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

    @Option(names = "--int8", description = "Write the int8 file: weights int8 per output channel, activations "
            + "per tensor calibrated (min/max) on training images of --data, in ONNX's QDQ form.")
    boolean int8;

    @Option(names = "--calibration-batches", defaultValue = "" + Int8Export.DEFAULT_CALIBRATION_BATCHES,
            description = "With --int8: batches of " + Int8Export.CALIBRATION_BATCH + " training images to calibrate "
                    + "on (default ${DEFAULT-VALUE}).")
    int calibrationBatches;

    @Option(names = "--seed", description = "With --int8: the seed that draws the calibration images (default: the "
            + "saved run's seed from DIR/../summary.json, else 0).")
    Long seed;

    @Override
    public Integer call() {
        requireWritable(out);
        if (int8 && data == null) {
            throw new IllegalArgumentException("--int8 needs --data: its calibration images come from the training "
                    + "split of the dataset the network was trained on");
        }
        if (calibrationBatches < 1) {
            throw new IllegalArgumentException("--calibration-batches must be at least 1, got " + calibrationBatches);
        }
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("--model-dir " + modelDir + " is not a directory");
        }
        if (!Files.isRegularFile(modelDir.resolve(NetworkStore.SPEC))) {
            throw new IllegalArgumentException("--model-dir " + modelDir + " holds no saved network: missing "
                    + modelDir.resolve(NetworkStore.SPEC));
        }
        OnnxModel model;
        OnnxModel float32 = null;
        try (Network net = NetworkStore.load(modelDir)) {
            ImageDataset ds = data == null ? null : dataset();
            InputTransform input = ds != null ? InputTransform.of(ds) : input();
            Map<String, Object> meta = new LinkedHashMap<>(summary());
            Provenance.capture("export", Instant.now()).toMap().forEach((k, v) -> meta.put("provenance." + k, v));
            if (ds != null) {
                meta.put("labels", new com.google.gson.Gson().toJson(ds.classNames()));
            }
            if (int8) {
                long s = seed != null ? seed : meta.containsKey("seed") ? (long) Double.parseDouble((String) meta.get("seed"))
                        : 0L;
                float32 = OnnxExport.builder().setNetwork(net).setInput(input).optMetadata(meta).build();
                model = Int8Measurements.quantize(net, input, ds, s, calibrationBatches, meta);
            } else {
                model = OnnxExport.builder().setNetwork(net).setInput(input).optMetadata(meta).build();
            }
        }
        // Refuse to leave a file ONNX Runtime cannot load.
        try (OrtNetwork ort = OrtNetwork.open(model, Math.max(1, Engines.threads()))) {
            System.out.printf("input %s [batch, %d, %d, %d] -> %s%n", ort.inputName(), ort.channels(), ort.side(),
                    ort.side(), ort.outputName());
        }
        model.write(out);
        System.out.printf("wrote %s: %,d bytes (%,d gzipped), opset %d%n", out, model.bytes(), model.gzipBytes(),
                OnnxExport.OPSET);
        if (float32 != null) {
            System.out.printf("int8: %.2fx smaller than the float32 file (%,d bytes), %.2fx gzipped; %s%n",
                    (double) float32.bytes() / model.bytes(), float32.bytes(),
                    (double) float32.gzipBytes() / model.gzipBytes(), model.metadata().get("quantization"));
        }
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

    /** The dataset of --data, class folders at the network's side. */
    private ImageDataset dataset() {
        int side = NetworkStore.readSpec(modelDir).inputSize();
        return dataset == null ? DatasetLoader.load(data, side) : DatasetLoader.load(data, dataset, side);
    }

    private InputTransform input() {
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
