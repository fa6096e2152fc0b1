package org.reconvene.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves and loads networks: the spec as JSON, every tensor in DJL's NDList encoding, and the
 * masks, if any, in a second NDList file.
 *
 * <p>A saved directory holds {@code spec.json}, {@code tensors.ndlist} and optionally
 * {@code masks.ndlist}; a network of an architecture imported from ONNX also holds that file,
 * {@code architecture.onnx}, so the directory loads wherever it is copied. The first two are what a deployment ships, so their byte count is the
 * network's serialized size: a masked network is stored dense, exactly as large as unpruned.
 */
public final class NetworkStore {

    /** The spec file's name. */
    public static final String SPEC = "spec.json";
    /** The tensor file's name. */
    public static final String TENSORS = "tensors.ndlist";
    /** The mask file's name. */
    public static final String MASKS = "masks.ndlist";
    /** The imported architecture's ONNX file, for networks of one. */
    public static final String ARCHITECTURE = "architecture.onnx";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private NetworkStore() {}

    /** Writes {@code net} into directory {@code dir}, creating it. */
    public static void save(Network net, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(SPEC), specJson(net.spec()));
            if (Architectures.get(net.spec().arch()) instanceof ImportedArchitecture imported) {
                Files.write(dir.resolve(ARCHITECTURE), imported.bytes());
            } else {
                Files.deleteIfExists(dir.resolve(ARCHITECTURE));
            }
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(dir.resolve(TENSORS)))) {
                tensorList(net.tensors()).encode(os);
            }
            Files.deleteIfExists(dir.resolve(MASKS));
            if (!net.masks().isEmpty()) {
                try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(dir.resolve(MASKS)))) {
                    tensorList(net.masks()).encode(os);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save network to " + dir, e);
        }
    }

    /** Loads the network saved in {@code dir}, with its masks. */
    public static Network load(Path dir) {
        Path specFile = dir.resolve(SPEC);
        Path tensorFile = dir.resolve(TENSORS);
        for (Path p : new Path[] {specFile, tensorFile}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("not a saved network: missing file " + p);
            }
        }
        try {
            ModelSpec spec = parseSpec(Files.readString(specFile), specFile.toString());
            Path architecture = dir.resolve(ARCHITECTURE);
            if (Files.isRegularFile(architecture)) {
                ImportedArchitecture a = Architectures.register(Files.readAllBytes(architecture), architecture.toString(),
                        ImportedArchitecture.stemOfName(spec.arch()));
                if (!a.name().equals(spec.arch())) {
                    throw new IllegalArgumentException(architecture + " is architecture " + a.name() + " but "
                            + specFile + " names " + spec.arch());
                }
            }
            try (NDManager tmp = NDManager.newBaseManager()) {
                Map<String, float[]> values = readArrays(tmp, tensorFile);
                Network net;
                try {
                    net = Network.builder().setSpec(spec).optValues(values).build();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(tensorFile + " does not match " + specFile + ": "
                            + e.getMessage(), e);
                }
                Path maskFile = dir.resolve(MASKS);
                try {
                    if (Files.isRegularFile(maskFile)) {
                        try (InputStream is = new BufferedInputStream(Files.newInputStream(maskFile))) {
                            for (NDArray m : NDList.decode(tmp, is)) {
                                net.setMask(m.getName(), m);
                            }
                        }
                        net.applyMasks();
                    }
                } catch (IOException | RuntimeException e) {
                    net.close();
                    if (e instanceof IllegalArgumentException) {
                        throw new IllegalArgumentException("bad mask file " + maskFile + ": " + e.getMessage(), e);
                    }
                    throw e;
                }
                return net;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load network from " + dir, e);
        }
    }

    /** The bytes {@link #save} writes for the spec and tensors (masks excluded). */
    public static long serializedBytes(Network net) {
        CountingStream counter = new CountingStream();
        try {
            tensorList(net.tensors()).encode(counter);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counter.count + specJson(net.spec()).getBytes(StandardCharsets.UTF_8).length;
    }

    /** The spec as the JSON saved with a network. */
    public static String specJson(ModelSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", spec.arch());
        m.put("numClasses", spec.numClasses());
        m.put("inputSize", spec.inputSize());
        m.put("inputChannels", spec.inputChannels());
        m.put("widths", spec.widths());
        if (spec.batchNormFolded()) {
            m.put("batchNormFolded", true);
        }
        return GSON.toJson(m);
    }

    /**
     * The spec saved in {@code dir}, without loading the network (its architecture may not be
     * known to this JVM yet).
     *
     * @throws IllegalArgumentException naming the file if it is missing or malformed
     */
    public static ModelSpec readSpec(Path dir) {
        Path specFile = dir.resolve(SPEC);
        if (!Files.isRegularFile(specFile)) {
            throw new IllegalArgumentException("not a saved network: missing file " + specFile);
        }
        try {
            return parseSpec(Files.readString(specFile), specFile.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + specFile, e);
        }
    }

    /** Parses a spec written by {@link #specJson}; {@code source} names it in errors. */
    public static ModelSpec parseSpec(String json, String source) {
        try {
            Map<String, Object> m =
                    GSON.fromJson(json, new TypeToken<Map<String, Object>>() {}.getType());
            Map<String, Integer> widths = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> w = (Map<String, Object>) m.get("widths");
            for (Map.Entry<String, Object> e : w.entrySet()) {
                widths.put(e.getKey(), ((Number) e.getValue()).intValue());
            }
            return new ModelSpec(
                    (String) m.get("arch"),
                    ((Number) m.get("numClasses")).intValue(),
                    ((Number) m.get("inputSize")).intValue(),
                    ((Number) m.get("inputChannels")).intValue(),
                    widths,
                    Boolean.TRUE.equals(m.get("batchNormFolded")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed network spec " + source + ": " + e, e);
        }
    }

    private static Map<String, float[]> readArrays(NDManager m, Path file) throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        try (InputStream is = new BufferedInputStream(Files.newInputStream(file))) {
            for (NDArray a : NDList.decode(m, is)) {
                values.put(a.getName(), a.toFloatArray());
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("corrupt tensor file " + file + ": " + e.getMessage(), e);
        }
        return values;
    }

    private static NDList tensorList(Map<String, NDArray> tensors) {
        NDList list = new NDList();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            e.getValue().setName(e.getKey());
            list.add(e.getValue());
        }
        return list;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
