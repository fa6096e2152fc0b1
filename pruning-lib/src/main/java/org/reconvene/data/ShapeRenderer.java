package org.reconvene.data;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Draws one synthetic training image: a class-specific shape in a class-specific colour near a
 * class-specific position, on a random textured background, with pixel noise.
 *
 * <p>Stateless. The class appearance depends only on the class index, never on the seed, so every
 * seed generates samples of the same task; the per-sample randomness all comes from the
 * {@link SplittableRandom} passed in. Only {@link StrictMath} and plain arithmetic are used, so the
 * same seed gives the same pixels on every JVM and CPU (JPEG files additionally depend on the
 * JDK's encoder).
 *
 * <p>The cues are deliberately redundant but individually unreliable: 40% of samples take a random
 * hue, the rest a jittered class hue; position is jittered by about a third of a shape's radius; the
 * background colour and texture are random. Colour is therefore only a partial cue (a nearest
 * class mean on raw pixels, or on the best single pixel, reaches about 40% on 10 classes), and
 * higher accuracy needs the shape, which a small CNN can learn.
 *
 * <p>A difficulty in [0, 1] weakens every cue together so that comparisons between networks do
 * not saturate: more samples take a random hue, the position, scale and rotation jitter widen,
 * the shape blends into the background, the texture and pixel noise grow, and smaller shapes of
 * other classes, in those classes' colours, are drawn behind the sample's own shape. Difficulty 0
 * draws exactly the pixels of the original renderer (every parameter reduces to its original
 * value and no extra random numbers are drawn), so existing datasets stay byte-identical.
 */
final class ShapeRenderer {

    /** Shapes in class order; classes beyond the list reuse shapes with another palette. */
    enum Shape {
        CIRCLE, SQUARE, TRIANGLE, CROSS, RING, BARS, DIAGONAL_STRIPES, CHECKER, DIAMOND, X_CROSS;

        /** Lower-case, hyphenated name used in class names, e.g. {@code diagonal-stripes}. */
        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final Shape[] SHAPES = Shape.values();
    private static final double GOLDEN = 0.6180339887498949;
    /** Per-sample hue jitter (std, in turns); comparable to the hue gap between close classes. */
    private static final double HUE_JITTER = 0.035;
    /**
     * Share of samples drawn in a random hue instead of their class hue, so colour alone cannot
     * classify much more than half the samples and a model must also learn shapes.
     */
    private static final double OFF_PALETTE = 0.4;
    /** Per-pixel Gaussian noise (std, on the [0, 1] scale). */
    private static final double PIXEL_NOISE = 0.06;
    /** Side of the coarse grid of the background texture. */
    private static final int TEXTURE_GRID = 5;
    /**
     * Extra share of random-hue samples at difficulty 1; 0.4 + 0.5 leaves one sample in ten with
     * its class hue, so colour becomes a weak cue but not noise.
     */
    private static final double OFF_PALETTE_EXTRA = 0.5;
    /** Distractor shapes per image at difficulty 1, on average. */
    private static final double DISTRACTORS = 2.5;

    private ShapeRenderer() {
    }

    static Shape shapeOf(int classIndex) {
        return SHAPES[classIndex % SHAPES.length];
    }

    /** Class name written to the metadata, e.g. {@code shape-circle-0}. */
    static String className(int classIndex) {
        return "shape-" + shapeOf(classIndex).label() + "-" + classIndex;
    }

    /**
     * Renders class {@code k} at {@code difficulty} in [0, 1] as 3 x size x size CHW bytes into
     * {@code dst} at {@code off}; distractors are drawn from the other {@code classes - 1} classes
     * (none when {@code classes < 2} or difficulty is 0).
     */
    static void render(int k, int classes, int size, double difficulty, SplittableRandom rng, byte[] dst, int off) {
        double d = difficulty;
        int plane = size * size;
        double[] r = new double[plane];
        double[] g = new double[plane];
        double[] b = new double[plane];

        // Background: a random colour with a random linear gradient and coarse blotches.
        double[] bg = hsv(rng.nextDouble(), 0.5 * rng.nextDouble(), 0.15 + 0.7 * rng.nextDouble());
        double gradAngle = 2 * StrictMath.PI * rng.nextDouble();
        double gradAmp = 0.25 * rng.nextDouble();
        double gx = StrictMath.cos(gradAngle);
        double gy = StrictMath.sin(gradAngle);
        double[][] texture = new double[3][(TEXTURE_GRID + 1) * (TEXTURE_GRID + 1)];
        for (double[] t : texture) {
            for (int i = 0; i < t.length; i++) {
                t[i] = 0.16 * (1 + d) * (rng.nextDouble() - 0.5);
            }
        }
        double cell = (size - 1) / (double) TEXTURE_GRID;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double ny = y / (double) (size - 1) - 0.5;
                double nx = x / (double) (size - 1) - 0.5;
                double shade = gradAmp * (nx * gx + ny * gy);
                int p = y * size + x;
                r[p] = bg[0] + shade + bilinear(texture[0], x / cell, y / cell);
                g[p] = bg[1] + shade + bilinear(texture[1], x / cell, y / cell);
                b[p] = bg[2] + shade + bilinear(texture[2], x / cell, y / cell);
            }
        }

        // Foreground: class hue and saturation level, class position, jittered per sample.
        int variant = k / SHAPES.length;
        double hue = rng.nextDouble() < OFF_PALETTE + OFF_PALETTE_EXTRA * d
                ? rng.nextDouble()
                : classHue(k, rng);
        double satBase = (variant % 2 == 0) ? 0.85 : 0.5;
        double sat = clamp(satBase + 0.2 * (rng.nextDouble() - 0.5), 0.05, 1);
        double val = 0.55 + 0.45 * rng.nextDouble();
        double[] fg = hsv(hue, sat, val);
        double posAngle = 2 * StrictMath.PI * frac(0.3 + k * 0.7548776662466927);
        double posRadius = size * (0.08 + 0.06 * ((k * 7) % 3) / 2.0);
        // Position jitter grows to 2.5x, so the class position becomes a soft cue.
        double jitter = 0.18 * (1 + 1.5 * d);
        double cx = (size - 1) / 2.0 + posRadius * StrictMath.cos(posAngle) + size * jitter * (rng.nextDouble() - 0.5);
        double cy = (size - 1) / 2.0 + posRadius * StrictMath.sin(posAngle) + size * jitter * (rng.nextDouble() - 0.5);
        double radius = size * 0.26 * ((0.8 - 0.25 * d) + (0.4 + 0.45 * d) * rng.nextDouble());
        // Rotation jitter stays below +-45 degrees even at difficulty 1, so a square never fully
        // turns into a diamond, nor a cross into an x-cross.
        double rot = (0.5 + 0.7 * d) * (rng.nextDouble() - 0.5) + (variant % 4) * StrictMath.PI / 8;
        double cos = StrictMath.cos(rot);
        double sin = StrictMath.sin(rot);
        double lightAngle = 2 * StrictMath.PI * rng.nextDouble();
        double lx = 0.2 * StrictMath.cos(lightAngle);
        double ly = 0.2 * StrictMath.sin(lightAngle);
        Shape shape = shapeOf(k);

        if (d > 0 && classes > 1) {
            drawDistractors(k, classes, size, d, rng, r, g, b);
        }
        // Shape opacity: at difficulty 1 the shape is a 50% blend with the background.
        double alpha = 1 - 0.5 * d;
        fill(shape, size, cx, cy, radius, cos, sin, lx, ly, alpha, fg, r, g, b);

        // Sensor-like noise on every pixel; Box-Muller gives two values per draw.
        double noise = PIXEL_NOISE * (1 + 1.5 * d);
        double[][] chans = {r, g, b};
        for (int c = 0; c < 3; c++) {
            double[] ch = chans[c];
            int base = off + c * plane;
            for (int p = 0; p < plane; p += 2) {
                double u1 = 1.0 - rng.nextDouble();
                double u2 = rng.nextDouble();
                double m = StrictMath.sqrt(-2 * StrictMath.log(u1));
                dst[base + p] = toByte(ch[p] + noise * m * StrictMath.cos(2 * StrictMath.PI * u2));
                if (p + 1 < plane) {
                    dst[base + p + 1] = toByte(ch[p + 1] + noise * m * StrictMath.sin(2 * StrictMath.PI * u2));
                }
            }
        }
    }

    /** The jittered hue of class {@code k}. */
    private static double classHue(int k, SplittableRandom rng) {
        return frac(0.07 + k * GOLDEN + HUE_JITTER * gaussian(rng));
    }

    /**
     * Draws smaller shapes of other classes, in their class colours, anywhere in the image and
     * behind the sample's own shape: a network must find the largest, front-most shape rather than
     * respond to any class's shape or colour.
     */
    private static void drawDistractors(int k, int classes, int size, double d, SplittableRandom rng,
                                        double[] r, double[] g, double[] b) {
        int n = (int) (DISTRACTORS * d + rng.nextDouble());
        for (int i = 0; i < n; i++) {
            int j = rng.nextInt(classes - 1);
            j = j >= k ? j + 1 : j;
            int variant = j / SHAPES.length;
            double sat = ((variant % 2 == 0) ? 0.85 : 0.5) + 0.2 * (rng.nextDouble() - 0.5);
            double[] fg = hsv(classHue(j, rng), clamp(sat, 0.05, 1), 0.55 + 0.45 * rng.nextDouble());
            double cx = (size - 1) * rng.nextDouble();
            double cy = (size - 1) * rng.nextDouble();
            double radius = size * 0.26 * (0.35 + 0.25 * rng.nextDouble());
            double rot = (0.5 + 0.7 * d) * (rng.nextDouble() - 0.5) + (variant % 4) * StrictMath.PI / 8;
            fill(shapeOf(j), size, cx, cy, radius, StrictMath.cos(rot), StrictMath.sin(rot), 0, 0, 1 - 0.5 * d, fg,
                    r, g, b);
        }
    }

    /**
     * Blends {@code shape} (centre, radius, rotation as cos/sin, linear lighting lx/ly, opacity
     * alpha, colour fg) over the planes r, g, b.
     */
    private static void fill(Shape shape, int size, double cx, double cy, double radius, double cos, double sin,
                             double lx, double ly, double alpha, double[] fg, double[] r, double[] g, double[] b) {
        // 2x2 supersampling gives soft edges, which survive JPEG and downsampling more naturally.
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int hits = 0;
                double su = 0;
                double sv = 0;
                for (int sy = 0; sy < 2; sy++) {
                    for (int sx = 0; sx < 2; sx++) {
                        double dx = (x + 0.25 + 0.5 * sx - 0.5 - cx) / radius;
                        double dy = (y + 0.25 + 0.5 * sy - 0.5 - cy) / radius;
                        double u = cos * dx + sin * dy;
                        double v = -sin * dx + cos * dy;
                        if (inside(shape, u, v)) {
                            hits++;
                            su += u;
                            sv += v;
                        }
                    }
                }
                if (hits == 0) {
                    continue;
                }
                // alpha is exactly 1 at difficulty 0, so cov is unchanged there.
                double cov = alpha * hits / 4.0;
                double light = 1 + (su * lx + sv * ly) / hits;
                int p = y * size + x;
                r[p] = (1 - cov) * r[p] + cov * fg[0] * light;
                g[p] = (1 - cov) * g[p] + cov * fg[1] * light;
                b[p] = (1 - cov) * b[p] + cov * fg[2] * light;
            }
        }
    }

    /** Membership in the unit-scale shape centred at the origin. */
    static boolean inside(Shape s, double u, double v) {
        double au = Math.abs(u);
        double av = Math.abs(v);
        boolean inBox = au <= 1 && av <= 1;
        return switch (s) {
            case CIRCLE -> u * u + v * v <= 1;
            case SQUARE -> au <= 0.82 && av <= 0.82;
            case TRIANGLE -> v <= 0.75 && v >= -1 && au <= 0.95 * (v + 1) / 1.75;
            case CROSS -> (au <= 0.3 && av <= 1) || (av <= 0.3 && au <= 1);
            case RING -> {
                double d = u * u + v * v;
                yield d <= 1 && d >= 0.36;
            }
            case BARS -> inBox && ((int) StrictMath.floor((u + 1) * 2.5)) % 2 == 0;
            case DIAGONAL_STRIPES -> u * u + v * v <= 1.1 && ((int) StrictMath.floor((u + v + 3) * 1.8)) % 2 == 0;
            case CHECKER -> au <= 0.9 && av <= 0.9
                    && (((int) StrictMath.floor((u + 0.9) * 2.2)) + ((int) StrictMath.floor((v + 0.9) * 2.2))) % 2 == 0;
            case DIAMOND -> au + av <= 1.05;
            case X_CROSS -> inBox && Math.abs(au - av) <= 0.28;
        };
    }

    private static double bilinear(double[] grid, double gx, double gy) {
        int n = TEXTURE_GRID + 1;
        int x0 = Math.min((int) gx, TEXTURE_GRID - 1);
        int y0 = Math.min((int) gy, TEXTURE_GRID - 1);
        double fx = gx - x0;
        double fy = gy - y0;
        double a = grid[y0 * n + x0];
        double bb = grid[y0 * n + x0 + 1];
        double c = grid[(y0 + 1) * n + x0];
        double d = grid[(y0 + 1) * n + x0 + 1];
        return (a * (1 - fx) + bb * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
    }

    /** HSV in [0,1] to RGB in [0,1]. */
    static double[] hsv(double h, double s, double v) {
        double hh = frac(h) * 6;
        int sector = Math.min((int) hh, 5);
        double f = hh - sector;
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        return switch (sector) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }

    private static double frac(double x) {
        return x - StrictMath.floor(x);
    }

    private static double clamp(double x, double lo, double hi) {
        return x < lo ? lo : Math.min(x, hi);
    }

    private static byte toByte(double v) {
        double s = StrictMath.floor(v * 255 + 0.5);
        return (byte) (s < 0 ? 0 : s > 255 ? 255 : (int) s);
    }
}
