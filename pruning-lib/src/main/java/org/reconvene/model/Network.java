package org.reconvene.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.reconvene.engine.Autograd;
import org.reconvene.engine.ConvPath;
import org.reconvene.engine.Convolutions;
import org.reconvene.engine.Engines;

/**
 * A network built from a {@link ModelSpec}: its layer graph, its tensors and its masks, with a
 * forward pass over DJL's functional operators.
 *
 * <p>Why not DJL {@code Block}s: pruning reads, masks, slices and replaces tensors by name and
 * rebuilds narrower layers, and scorers such as SynFlow run the same graph on transformed
 * weights. Keeping the tensors in one ordered map, named like PyTorch's {@code state_dict}
 * ({@code conv1.weight}, {@code layer1.0.bn1.running_var}), makes all of that direct.
 *
 * <p>Lifecycle: create with {@link #builder()}; the network owns an {@link NDManager} that holds
 * every tensor and mask, and must be closed (try-with-resources). Outputs of {@link #forward}
 * belong to the manager of the input, so callers free them with the batch. A network is not
 * thread-safe; one trial uses one network on one thread.
 *
 * <p>Convolutions compute on the path the engine's kernel check chose ({@link Engines#convPath()}):
 * on {@link ConvPath#PADDED} a convolution of unaligned width runs on zero-padded copies of its
 * tensors and is sliced back, so outputs and gradients are those of the network as built.
 */
public final class Network implements AutoCloseable {

    /** BatchNorm's epsilon, PyTorch's default; folding divides by {@code sqrt(var + BN_EPS)} too. */
    public static final float BN_EPS = 1e-5f;
    // DJL's momentum convention: running = 0.9 * running + 0.1 * batch, PyTorch's default.
    private static final float BN_MOMENTUM = 0.9f;

    private final ModelSpec spec;
    private final List<Layer> layers;
    private final NDManager manager;
    private final Map<String, ParameterInfo> infos = new LinkedHashMap<>();
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, NDArray> masks = new LinkedHashMap<>();

    private Network(
            ModelSpec spec, NDManager manager, Map<String, float[]> values, long seed, DataType dataType) {
        Engines.ensureLoaded();
        this.spec = spec;
        this.layers = Architectures.build(spec);
        this.manager = manager;
        KaimingNormalInitializer init = new KaimingNormalInitializer(seed);
        for (ParameterInfo p : ParameterInfo.describe(layers)) {
            infos.put(p.name(), p);
            float[] v = values == null ? init.values(p) : values.get(p.name());
            if (v == null) {
                throw new IllegalArgumentException("no values for tensor '" + p.name() + "'");
            }
            if (v.length != p.size()) {
                throw new IllegalArgumentException(
                        "tensor '" + p.name() + "' needs " + p.size() + " values, got " + v.length);
            }
            NDArray a;
            a = NativeArrays.create(manager, v, new Shape(p.shape()), dataType);
            a.setName(p.name());
            tensors.put(p.name(), a);
        }
    }

    /** A builder; {@code setSpec} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The spec the network was built from. */
    public ModelSpec spec() {
        return spec;
    }

    /** The layer graph. */
    public List<Layer> layers() {
        return layers;
    }

    /** The manager that owns the network's tensors. */
    public NDManager manager() {
        return manager;
    }

    /** Descriptions of every tensor, keyed by name, in graph order. */
    public Map<String, ParameterInfo> infos() {
        return Collections.unmodifiableMap(infos);
    }

    /** Every tensor (parameters and running statistics), keyed by name, in graph order. */
    public Map<String, NDArray> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** The tensor called {@code name}. */
    public NDArray tensor(String name) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("network has no tensor '" + name + "'");
        }
        return a;
    }

    /** The masks set so far, keyed by weight name. */
    public Map<String, NDArray> masks() {
        return Collections.unmodifiableMap(masks);
    }

    /**
     * Sets the 0/1 mask of a prunable weight; the network copies it into its own manager.
     * Call {@link #applyMasks()} to zero the masked weights.
     */
    public void setMask(String weight, NDArray mask) {
        ParameterInfo p = infos.get(weight);
        if (p == null || !p.prunable()) {
            throw new IllegalArgumentException("'" + weight + "' is not a prunable weight");
        }
        if (!mask.getShape().equals(new Shape(p.shape()))) {
            throw new IllegalArgumentException(
                    "mask for '" + weight + "' has shape " + mask.getShape() + ", weight has "
                            + new Shape(p.shape()));
        }
        // A real copy: DJL's toType(sameType, copy=true) returns an alias of the caller's buffer,
        // which the caller may free (a use-after-free that crashed saving VGG-16 masks).
        NDArray copy = mask.getDataType() == dataType() ? mask.duplicate() : mask.toType(dataType(), false);
        copy.attach(manager);
        NDArray old = masks.put(weight, copy);
        if (old != null) {
            old.close();
        }
    }

    /** The element type of the tensors (FLOAT32 unless built otherwise). */
    public DataType dataType() {
        return tensors.values().iterator().next().getDataType();
    }

    /**
     * Replaces tensor {@code name} with {@code value} (same shape), which the network takes over;
     * the old array is closed. Scorers use this to run the graph on transformed weights and to
     * give parameters fresh tensors without autograd history.
     */
    public void replaceTensor(String name, NDArray value) {
        NDArray old = tensor(name);
        if (!old.getShape().equals(value.getShape())) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "' has shape " + old.getShape() + ", replacement " + value.getShape());
        }
        value.attach(manager);
        value.setName(name);
        tensors.put(name, value);
        if (old != value) {
            old.close();
        }
    }

    /** Drops the mask of {@code weight}, if any; the weight keeps its current values. */
    public void removeMask(String weight) {
        NDArray old = masks.remove(weight);
        if (old != null) {
            old.close();
        }
    }

    /** Drops every mask. */
    public void clearMasks() {
        masks.values().forEach(NDArray::close);
        masks.clear();
    }

    /**
     * Multiplies every masked weight by its mask in place, so masked weights are exactly zero;
     * training calls this after every optimizer step.
     */
    public void applyMasks() {
        try (Autograd ignored = Autograd.disable()) {
            for (Map.Entry<String, NDArray> e : masks.entrySet()) {
                tensors.get(e.getKey()).muli(e.getValue());
            }
        }
    }

    /** Marks every trainable parameter as needing a gradient (or not). */
    public void requireGradients(boolean required) {
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (infos.get(e.getKey()).trainable()) {
                e.getValue().setRequiresGradient(required);
            }
        }
    }

    /** Copies every tensor out as a float array, keyed by name. */
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            out.put(e.getKey(), e.getValue().toFloatArray());
        }
        return out;
    }

    /**
     * Computes the logits for a batch {@code x} of shape (N, C, H, W). In training mode
     * BatchNorm normalizes with batch statistics and updates its running statistics in place;
     * otherwise it uses the running statistics.
     */
    public NDArray forward(NDArray x, boolean training) {
        return forward(x, training, true, false);
    }

    /**
     * The inference-mode forward pass of SynFlow's linearization (docs/METHOD.md section 3): every
     * ReLU6 computed as a ReLU. On the non-negative tensors SynFlow runs, a ReLU is the identity,
     * as the method assumes; a clip at 6 is not: every activation of its all-ones pass exceeds 6,
     * and the clip's zero gradient would stop the flow to every layer before it.
     *
     * <p>{@code rescaled}: after each top-level layer, the activations are multiplied by the power
     * of two that brings their largest value to [1, 2). Every path from input to output passes
     * through each top-level layer's output (residual blocks are single top-level layers), so the
     * output and every gradient of it are multiplied by one common power of two, exactly: the pass
     * for networks whose unscaled output overflows float32 (products of absolute weights grow with
     * depth; MobileNetV2's is about 1e50).
     */
    public NDArray forwardLinearized(NDArray x, boolean rescaled) {
        return forward(x, false, false, rescaled);
    }

    private NDArray forward(NDArray x, boolean training, boolean clipAt6, boolean rescaled) {
        boolean recording = Autograd.isEnabled();
        return run(layers, x, new Pass(training, clipAt6, rescaled, Engines.convPath(), recording,
                recording && Autograd.requiresGradient(x), x));
    }

    /**
     * What every layer of one forward pass shares: the mode, whether ReLU6 clips, whether top-level
     * outputs are rescaled ({@link #forwardLinearized}), the convolution path, whether autograd
     * records, whether the network's input needs a gradient, and the input.
     */
    private record Pass(boolean training, boolean clipAt6, boolean rescaled, ConvPath path, boolean recording,
            boolean inputGradient, NDArray input) {
        /** Whether backward computes the gradient of {@code h}: it is an activation, or an input that needs one. */
        boolean gradientOf(NDArray h) {
            return recording && (h != input || inputGradient);
        }
    }

    private NDArray run(List<Layer> graph, NDArray x, Pass pass) {
        // Only the top level's outputs lie on every path from input to output (a residual block's
        // branches do not), so only they may be rescaled by one common factor.
        boolean rescale = pass.rescaled() && graph == layers;
        NDArray h = x;
        for (Layer l : graph) {
            NDArray next = l.accept(new Forward(h, pass));
            release(h, x, next);
            h = rescale ? rescaledToUnitExponent(next, x) : next;
        }
        return h;
    }

    /**
     * {@code h} times the power of two that brings its largest value to [1, 2) (itself where that
     * is already so, or where the largest value is not a positive finite number); the caller's
     * handle on {@code h} is released when a new array replaces it.
     */
    private static NDArray rescaledToUnitExponent(NDArray h, NDArray input) {
        float largest;
        try (NDArray m = h.max()) {
            largest = m.getFloat();
        }
        int exponent = largest > 0 && Float.isFinite(largest) ? Math.getExponent(largest) : 0;
        if (exponent == 0) {
            return h;
        }
        // A PyTorch-owned factor: mul(Number) wraps Java memory, which autograd saves for backward
        // and the garbage collector may free before backward reads it (NaN or zero scores, now and
        // then).
        NDArray scaled;
        try (NDArray factor = NativeArrays.scalar(h, Math.scalb(1.0, -exponent))) {
            scaled = h.mul(factor);
        }
        release(h, input, scaled);
        return scaled;
    }

    /**
     * Closes the Java handle of an intermediate {@code h} once the next layer has consumed it.
     * Autograd keeps its own reference to whatever it saved for backward, so nothing the
     * gradient needs is freed; what is freed now is what Python would free when the last
     * reference dropped. Left open until the caller's manager closed, every activation of a
     * batch stayed alive at once, a working set far beyond the caches (docs/PERFORMANCE.md).
     */
    private static void release(NDArray h, NDArray input, NDArray next) {
        if (h != input && h != next) {
            h.close();
        }
    }

    /** One layer's forward computation on {@code h}. */
    private final class Forward implements Layer.Visitor<NDArray> {
        private final NDArray h;
        private final boolean training;
        private final Pass pass;

        Forward(NDArray h, Pass pass) {
            this.h = h;
            this.training = pass.training();
            this.pass = pass;
        }

        @Override
        public NDArray conv(Layer.Conv c) {
            NDArray bias = c.bias() ? tensors.get(c.biasName()) : null;
            return Convolutions.conv2d(pass.path(), h, tensors.get(c.weightName()), bias, c.stride(), c.padding(),
                    c.groups(), pass.gradientOf(h));
        }

        @Override
        public NDArray batchNorm(Layer.BatchNorm b) {
            // axis -1 selects the PyTorch engine's direct path (channel axis 1) without swaps.
            return BatchNorm.batchNorm(
                            h,
                            tensors.get(b.runningMeanName()),
                            tensors.get(b.runningVarName()),
                            tensors.get(b.gammaName()),
                            tensors.get(b.betaName()),
                            -1,
                            BN_MOMENTUM,
                            BN_EPS,
                            training)
                    .singletonOrThrow();
        }

        @Override
        public NDArray linear(Layer.Linear f) {
            NDArray in = h.getShape().dimension() == 2 ? h : h.reshape(h.getShape().get(0), -1);
            NDArray bias = f.bias() ? tensors.get(f.biasName()) : null;
            NDArray out = Linear.linear(in, tensors.get(f.weightName()), bias).singletonOrThrow();
            release(in, h, out);
            return out;
        }

        @Override
        public NDArray relu(Layer.Relu r) {
            return Activation.relu(h);
        }

        @Override
        public NDArray relu6(Layer.Relu6 r) {
            return pass.clipAt6() ? h.clip(0, 6) : Activation.relu(h);
        }

        @Override
        public NDArray maxPool(Layer.MaxPool p) {
            return Pool.maxPool2d(
                    h,
                    new Shape(p.kernel(), p.kernel()),
                    new Shape(p.stride(), p.stride()),
                    new Shape(0, 0),
                    false);
        }

        @Override
        public NDArray avgPool(Layer.AvgPool p) {
            return Pool.avgPool2d(
                    h,
                    new Shape(p.kernel(), p.kernel()),
                    new Shape(p.stride(), p.stride()),
                    new Shape(0, 0),
                    false,
                    true);
        }

        @Override
        public NDArray globalAvgPool(Layer.GlobalAvgPool g) {
            return Pool.globalAvgPool2d(h);
        }

        @Override
        public NDArray residual(Layer.Residual r) {
            NDArray main = run(r.main(), h, pass);
            NDArray shortcut = r.shortcut().isEmpty() ? h : run(r.shortcut(), h, pass);
            NDArray sum = main.add(shortcut);
            release(main, h, sum);
            release(shortcut, h, sum);
            return sum;
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * Builds a {@link Network}: from a spec and seed (fresh Kaiming-normal initialization) or
     * from a spec and explicit tensor values (loading, rebuilding).
     */
    public static final class Builder {
        private ModelSpec spec;
        private long seed;
        private Map<String, float[]> values;
        private NDManager parent;
        private DataType dataType = DataType.FLOAT32;

        private Builder() {}

        /** Element type of the tensors (default FLOAT32; FLOAT64 for numerical reference checks). */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /** The spec to build (required). */
        public Builder setSpec(ModelSpec spec) {
            this.spec = spec;
            return this;
        }

        /** The seed of the initial weights (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Explicit values for every tensor, instead of a fresh initialization. */
        public Builder optValues(Map<String, float[]> values) {
            this.values = values;
            return this;
        }

        /** A manager the network's own manager hangs below (default: a new base manager). */
        public Builder optParentManager(NDManager parent) {
            this.parent = parent;
            return this;
        }

        /** Builds and initializes the network. */
        public Network build() {
            Objects.requireNonNull(spec, "spec is required: call setSpec");
            Engines.ensureLoaded();
            NDManager m = parent == null ? NDManager.newBaseManager() : parent.newSubManager();
            try {
                return new Network(spec, m, values, seed, dataType);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }
    }
}
