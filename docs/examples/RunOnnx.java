import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Runs an exported Reconvene model on the first images of Fashion-MNIST's test split with ONNX
 * Runtime alone (no Reconvene, no DJL): pixels in [0, 1] in, logits out.
 *
 *   java -cp onnxruntime-1.23.2.jar docs/examples/RunOnnx.java model.onnx \
 *       /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz 8
 */
public class RunOnnx {
    public static void main(String[] args) throws Exception {
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        float[] pixels;
        int side;
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new FileInputStream(args[1])))) {
            in.readInt(); // magic 0x803
            in.readInt(); // image count
            side = in.readInt();
            in.readInt();
            byte[] raw = new byte[n * side * side];
            in.readFully(raw);
            pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xff) / 255f; // the graph pads and normalises itself
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(args[0], opts);
                    OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), new long[] {n, 1, side, side});
                    OrtSession.Result r = session.run(Map.of("pixels", x))) {
                float[][] logits = (float[][]) r.get("logits").get().getValue();
                StringBuilder classes = new StringBuilder();
                for (float[] row : logits) {
                    int best = 0;
                    for (int k = 1; k < row.length; k++) {
                        best = row[k] > row[best] ? k : best;
                    }
                    classes.append(best).append(' ');
                }
                System.out.println("model " + session.getMetadata().getCustomMetadata().get("architecture")
                        + ", method " + session.getMetadata().getCustomMetadata().get("method"));
                System.out.println("predicted classes of the first " + n + " test images: " + classes.toString().trim());
            }
        }
    }
}
