package org.reconvene.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An architecture read from an ONNX file (docs/METHOD.md section 6): the layer graph
 * {@link OnnxGraphImport} found, rebuilt at any widths like a zoo model. Only the architecture is
 * used; the file's weights are not.
 *
 * <p>Its {@link #name()} is the file's name with the first 12 hex digits of its content's SHA-256
 * ({@code mynet-3f2a9c1b0d4e}), so a spec names exactly one graph, and a changed file is another
 * architecture. The spec lists the width of every convolution but the depthwise ones (which
 * follow their input); the stem takes the dataset's channels and the classifier its classes.
 * {@link #bytes()} is the file itself, which {@link NetworkStore} saves beside a network so that a
 * saved network loads without the original path.
 */
public final class ImportedArchitecture implements Architecture {

    private final String name;
    private final String source;
    private final String digest;
    private final byte[] bytes;
    private final OnnxGraphImport.Graph graph;
    private final Map<String, Integer> widths;

    ImportedArchitecture(String source, byte[] bytes, String stem) {
        this.source = source;
        this.bytes = bytes.clone();
        this.digest = sha256(bytes);
        this.graph = OnnxGraphImport.read(bytes, source);
        this.name = stem + "-" + digest.substring(0, 12);
        Map<String, Integer> w = new LinkedHashMap<>();
        collectWidths(graph.layers(), w);
        this.widths = java.util.Collections.unmodifiableMap(w);
        // The graph must build at its own widths (the group widths agree).
        build(defaultSpec(graph.classes(), graph.inputChannels()));
    }

    /**
     * Imports the ONNX model in {@code bytes}; {@code source} (its path or URI) names it in errors
     * and in {@link #name()}. The result is known to {@link Architectures#get} by its name.
     *
     * @throws IllegalArgumentException naming the file, node and op if it cannot be imported
     */
    public static ImportedArchitecture of(byte[] bytes, String source) {
        return Architectures.register(bytes, source);
    }

    /** Whether a model name is an ONNX file to import (a path or URI ending in {@code .onnx}). */
    public static boolean isFile(String model) {
        return model != null && model.strip().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    @Override
    public String name() {
        return name;
    }

    /** The path or URI the file was read from. */
    public String source() {
        return source;
    }

    /** The part of {@code name} before its digest, for reloading a saved network under its own name. */
    static String stemOfName(String name) {
        int dash = name.lastIndexOf('-');
        return dash > 0 ? name.substring(0, dash) : name;
    }

    /** The SHA-256 of the file's content, 64 hex digits: the trial key {@code model_digest}. */
    public String digest() {
        return digest;
    }

    /** The file's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The file's graph input name, which an exported pruned network keeps. */
    public String inputName() {
        return graph.inputName();
    }

    /** The file's graph output name, which an exported pruned network keeps. */
    public String outputName() {
        return graph.outputName();
    }

    /** The ONNX opset the file imports. */
    public int opset() {
        return graph.opset();
    }

    /** Channels of the file's own input; a trial's stem takes its dataset's instead. */
    public int fileInputChannels() {
        return graph.inputChannels();
    }

    /** Classes of the file's own classifier; a trial's classifier takes its dataset's instead. */
    public int fileClasses() {
        return graph.classes();
    }

    @Override
    public int inputSize() {
        return graph.inputSide();
    }

    @Override
    public ModelSpec defaultSpec(int numClasses, int inputChannels) {
        return new ModelSpec(name, numClasses, inputSize(), inputChannels, widths);
    }

    @Override
    public List<Layer> build(ModelSpec spec) {
        Architectures.checkSpec(this, spec, widths.keySet());
        return new Rewidth(spec).walk(graph.layers(), spec.inputChannels());
    }

    private static void collectWidths(List<Layer> layers, Map<String, Integer> out) {
        for (Layer l : layers) {
            if (l instanceof Layer.Conv c && !c.depthwise()) {
                out.put(c.name(), c.outChannels());
            } else if (l instanceof Layer.Residual r) {
                collectWidths(r.main(), out);
                collectWidths(r.shortcut(), out);
            }
        }
    }

    /** The file's graph at a spec's widths: each layer reads the channels its input has. */
    private static final class Rewidth {
        private final ModelSpec spec;
        private final Map<String, Integer> groupWidth = new HashMap<>();
        private final Map<String, String> groupSetBy = new HashMap<>();

        Rewidth(ModelSpec spec) {
            this.spec = spec;
        }

        List<Layer> walk(List<Layer> layers, int in) {
            int[] channels = {in};
            return walk(layers, channels);
        }

        /** The layers at the spec's widths; {@code channels[0]} goes from the input's to the output's. */
        private List<Layer> walk(List<Layer> layers, int[] channels) {
            List<Layer> out = new ArrayList<>(layers.size());
            for (Layer l : layers) {
                out.add(l.accept(new Step(channels)));
            }
            return out;
        }

        private final class Step implements Layer.Visitor<Layer> {
            private final int[] channels;

            Step(int[] channels) {
                this.channels = channels;
            }

            @Override
            public Layer conv(Layer.Conv conv) {
                int c = channels[0];
                if (conv.depthwise()) {
                    return Layer.Conv.depthwise(conv.name(), c, conv.kernel(), conv.stride(), conv.padding(),
                            conv.bias(), conv.group());
                }
                int w = Architectures.positiveWidth(spec, conv.name());
                Integer set = groupWidth.putIfAbsent(conv.group(), w);
                if (set == null) {
                    groupSetBy.put(conv.group(), conv.name());
                } else if (set != w) {
                    throw new IllegalArgumentException("spec of " + spec.arch() + ": '" + conv.name() + "' (" + w
                            + ") and '" + groupSetBy.get(conv.group()) + "' (" + set + ") are added together: group "
                            + conv.group() + " needs equal widths");
                }
                channels[0] = w;
                return new Layer.Conv(conv.name(), c, w, conv.kernel(), conv.stride(), conv.padding(), conv.bias(),
                        conv.group());
            }

            @Override
            public Layer batchNorm(Layer.BatchNorm bn) {
                return new Layer.BatchNorm(bn.name(), channels[0]);
            }

            @Override
            public Layer linear(Layer.Linear fc) {
                Layer out = new Layer.Linear(fc.name(), channels[0], spec.numClasses(), fc.bias());
                channels[0] = spec.numClasses();
                return out;
            }

            @Override
            public Layer relu(Layer.Relu r) {
                return r;
            }

            @Override
            public Layer relu6(Layer.Relu6 r) {
                return r;
            }

            @Override
            public Layer maxPool(Layer.MaxPool p) {
                return p;
            }

            @Override
            public Layer avgPool(Layer.AvgPool p) {
                return p;
            }

            @Override
            public Layer globalAvgPool(Layer.GlobalAvgPool g) {
                return g;
            }

            @Override
            public Layer residual(Layer.Residual r) {
                int[] main = {channels[0]};
                int[] shortcut = {channels[0]};
                Layer out = new Layer.Residual(r.name(), walk(r.main(), main), walk(r.shortcut(), shortcut));
                channels[0] = main[0];
                return out;
            }
        }
    }

    /** The name an import of {@code source} gets before its digest: the file name without {@code .onnx}. */
    static String stem(String source) {
        String s = source.replace('\\', '/');
        String file = s.substring(s.lastIndexOf('/') + 1);
        try { // a canonical URI percent-encodes the name
            file = java.net.URLDecoder.decode(file.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // not encoded: keep it as it is
        }
        String base = file.toLowerCase(Locale.ROOT).endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
        base = base.replaceAll("[^A-Za-z0-9_.-]+", "_");
        return base.isEmpty() ? "onnx" : base;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
