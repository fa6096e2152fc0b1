package org.reconvene.deploy;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.reconvene.metrics.LatencyMeter;

/**
 * An exported model loaded in ONNX Runtime (CPU), the runtime edge devices use: logits for a
 * batch, and latency timed like the platform's libtorch latencies (warm-up, then the median of
 * timed runs; several models in alternating runs).
 *
 * <p>Lifecycle: {@link #open} creates a session with {@code threads} intra-op threads (the
 * task's, so ONNX Runtime and libtorch are timed on the same cores) and one inter-op thread;
 * {@link #close()} frees it. The process-wide environment is ONNX Runtime's own singleton.
 */
public final class OrtNetwork implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final long[] inputShape;
    private final String inputName;
    private final String outputName;

    private OrtNetwork(OrtEnvironment env, OrtSession session, String inputName, String outputName,
            long[] inputShape) {
        this.env = env;
        this.session = session;
        this.inputName = inputName;
        this.outputName = outputName;
        this.inputShape = inputShape;
    }

    /** The graph's image input. */
    public String inputName() {
        return inputName;
    }

    /** The graph's logits output. */
    public String outputName() {
        return outputName;
    }

    /** Loads {@code model} with {@code threads} intra-op threads. */
    public static OrtNetwork open(OnnxModel model, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // The optimizer fuses each ReLU6 (Clip) into its convolution and then warns, on stderr,
            // that the Clip's bound initializers are unused: true of every valid MobileNetV2 file,
            // so noise in the user's output. Errors still print.
            opts.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            OrtSession s = env.createSession(model.toByteArray(), opts);
            try {
                if (s.getNumInputs() != 1 || s.getNumOutputs() != 1) {
                    throw new IllegalArgumentException("the model has " + s.getNumInputs() + " inputs and "
                            + s.getNumOutputs() + " outputs; one image input and one logits output are expected");
                }
                String name = s.getInputNames().iterator().next();
                NodeInfo in = s.getInputInfo().get(name);
                if (!(in.getInfo() instanceof TensorInfo t) || t.getShape().length != 4) {
                    throw new IllegalArgumentException("the model's input '" + name + "' is not a 4-D image tensor");
                }
                return new OrtNetwork(env, s, name, s.getOutputNames().iterator().next(), t.getShape());
            } catch (OrtException | RuntimeException e) {
                s.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Channels of an input image. */
    public int channels() {
        return (int) inputShape[1];
    }

    /** Side of an input image. */
    public int side() {
        return (int) inputShape[2];
    }

    /** Logits of {@code batch} images, {@code pixels} in NCHW order; one row per image. */
    public float[][] logits(float[] pixels, int batch) {
        long[] shape = {batch, inputShape[1], inputShape[2], inputShape[3]};
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), shape);
                OrtSession.Result r = session.run(Map.of(inputName, x))) {
            return (float[][]) r.get(0).getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** Top-1 accuracy on the whole test split of {@code ds}, in batches of {@code batch}. */
    public double top1(org.reconvene.data.ImageDataset ds, int batch) {
        org.reconvene.data.ImageSplit test = ds.test();
        long correct = 0;
        for (int from = 0; from < test.size(); from += batch) {
            int n = Math.min(batch, test.size() - from);
            float[][] logits = logits(StoredPixels.range(ds, test, from, n), n);
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int k = 1; k < logits[i].length; k++) {
                    if (logits[i][k] > logits[i][best]) {
                        best = k;
                    }
                }
                if (best == test.label(from + i)) {
                    correct++;
                }
            }
        }
        return (double) correct / test.size();
    }

    /**
     * Median milliseconds of one run of a batch of {@code batch} random pixels for each model,
     * in alternating runs after {@code warmup} discarded rounds.
     */
    public static double[] compare(List<OrtNetwork> nets, int batch, int warmup, int runs) {
        double[][] times = new double[nets.size()][runs];
        OnnxTensor[] inputs = new OnnxTensor[nets.size()];
        try {
            SplittableRandom rng = new SplittableRandom(0);
            for (int i = 0; i < inputs.length; i++) {
                OrtNetwork n = nets.get(i);
                float[] px = new float[batch * n.channels() * n.side() * n.side()];
                for (int k = 0; k < px.length; k++) {
                    px[k] = (float) rng.nextDouble();
                }
                inputs[i] = OnnxTensor.createTensor(n.env, FloatBuffer.wrap(px),
                        new long[] {batch, n.channels(), n.side(), n.side()});
            }
            for (int r = -warmup; r < runs; r++) {
                for (int i = 0; i < inputs.length; i++) {
                    long t0 = System.nanoTime();
                    try (OrtSession.Result ignored = nets.get(i).session.run(Map.of(nets.get(i).inputName, inputs[i]))) {
                        long t1 = System.nanoTime();
                        if (r >= 0) {
                            times[i][r] = (t1 - t0) / 1e6;
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : inputs) {
                if (t != null) {
                    t.close();
                }
            }
        }
        double[] out = new double[nets.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = LatencyMeter.median(times[i]);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
