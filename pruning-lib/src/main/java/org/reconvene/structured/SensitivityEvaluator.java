package org.reconvene.structured;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.reconvene.model.Layer;
import org.reconvene.model.Network;

/**
 * Reconvene's Pruning Sensitivity Evaluator (PSE): how much of a convolution's unstructured
 * saliency survives if its kept weights are regrouped into fewer whole channels.
 *
 * <p>For conv layer l with C_l output channels: d_l is the density of its mask,
 * k_l = max(minChannels, ceil(d_l^alpha C_l)) its structured width, c_lj the saliency of channel
 * j (the sum of score times mask over that channel), retained saliency rho_l the share of the
 * k_l largest c_lj in their total, and sensitivity sigma_l = 1 - rho_l (docs/METHOD.md section 5).
 * Channel saliencies are clamped at zero so that rho stays in [0, 1] for signed scores (GraSP);
 * a layer with no saliency at all loses nothing and has rho 1.
 */
public final class SensitivityEvaluator {

    private SensitivityEvaluator() {}

    /**
     * Evaluates every convolution of {@code net}; {@code scores} and {@code masks} are keyed by
     * weight name (a conv without a mask has density 1 and, without scores, saliency from |w|).
     */
    public static Map<String, LayerSensitivity> evaluate(
            Network net, Map<String, float[]> scores, Map<String, float[]> masks, ReconveneSettings settings) {
        Map<String, LayerSensitivity> out = new LinkedHashMap<>();
        for (Layer.Conv c : Convs.of(net.layers())) {
            String w = c.weightName();
            float[] s = scores.get(w);
            float[] m = masks.get(w);
            if (s == null) {
                s = abs(net.tensor(w).toFloatArray());
            }
            out.put(c.name(), evaluate(c.name(), c.outChannels(), s, m, settings));
        }
        return out;
    }

    /** PSE for one layer of {@code channels} output channels. */
    static LayerSensitivity evaluate(String layer, int channels, float[] scores, float[] mask, ReconveneSettings settings) {
        int per = scores.length / channels;
        double[] saliency = new double[channels];
        long kept = 0;
        for (int j = 0; j < channels; j++) {
            double sum = 0;
            for (int i = j * per; i < (j + 1) * per; i++) {
                float keep = mask == null ? 1f : mask[i];
                sum += (double) scores[i] * keep;
                kept += keep != 0f ? 1 : 0;
            }
            saliency[j] = Math.max(0, sum);
        }
        double density = (double) kept / scores.length;
        int width = settings.width(density, channels);
        double total = Arrays.stream(saliency).sum();
        double retained = total == 0 ? 1.0 : topSum(saliency, width) / total;
        double sensitivity = 1 - retained;
        boolean nonSensitive = settings.criterion() == ReconveneSettings.Criterion.RETENTION
                ? sensitivity <= settings.tau()
                : density <= settings.delta();
        return new LayerSensitivity(layer, channels, density, width, retained, sensitivity, nonSensitive, saliency);
    }

    private static double topSum(double[] v, int k) {
        double[] s = v.clone();
        Arrays.sort(s);
        double sum = 0;
        for (int i = s.length - 1; i >= s.length - k; i--) {
            sum += s[i];
        }
        return sum;
    }

    private static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }
}
