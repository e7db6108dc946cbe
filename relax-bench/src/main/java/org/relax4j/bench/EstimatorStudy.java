package org.relax4j.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.relax4j.RelaxConfig;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;
import org.relax4j.onnx.PretrainedModels;

/** Research (not a benchmark): estimators on recorded similarities of the quality benchmark's cache. */
public final class EstimatorStudy {
    static final int H = 224;
    static final int W = 224;
    static final int CELLS = 7;
    static final float P = 0.5f;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("centring")) {
            centring(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        if (args[0].equals("check")) {
            check();
            return;
        }
        String subject = args[0];
        int truthN = Integer.parseInt(args[1]);
        int seeds = Integer.parseInt(args[2]);
        int pool = Integer.parseInt(args.length > 3 ? args[3] : "7");
        double ridge = Double.parseDouble(args.length > 4 ? args[4] : "1e-3");
        Path cache = PretrainedModels.defaultCacheDir().resolve("quality");
        float[] gtSims = read(cache.resolve(subject + "-balanced-" + QualityBench.CACHE_VERSION + "-s1000003-n" + truthN + ".f32"));
        double[] truth = plain(MaskDesign.BALANCED.source(1000003, CELLS, P), gtSims, truthN);
        int[] ns = {256, 512, 640, 1024, 3000};
        for (MaskDesign d : MaskDesign.values()) {
            double[][] plainErr = new double[seeds][ns.length];
            double[][] cvErr = new double[seeds][ns.length];
            for (int s = 0; s < seeds; s++) {
                float[] sims = read(cache.resolve(subject + "-" + d.id() + "-" + QualityBench.CACHE_VERSION + "-s" + s + "-n3000.f32"));
                MaskSource masks = d.source(s, CELLS, P);
                for (int k = 0; k < ns.length; k++) {
                    plainErr[s][k] = QualityBench.relativeError(plain(masks, sims, ns[k]), truth);
                    cvErr[s][k] = QualityBench.relativeError(controlVariate(masks, sims, ns[k], pool, ridge), truth);
                }
            }
            for (int k = 0; k < ns.length; k++) {
                int kk = k;
                System.out.printf(Locale.ROOT, "%s %-8s n=%4d plain %.3f  cv %.3f%n", subject, d.id(), ns[k],
                        QualityBench.median(java.util.Arrays.stream(plainErr).mapToDouble(r -> r[kk]).toArray()),
                        QualityBench.median(java.util.Arrays.stream(cvErr).mapToDouble(r -> r[kk]).toArray()));
            }
        }
    }

    /** Monte Carlo check of {@link #expectedFitted}. */
    static void check() {
        int pool = 7;
        MaskGeometry g = new MaskGeometry(CELLS, H, W);
        double[] beta = new double[1 + pool * pool];
        java.util.Random r = new java.util.Random(1);
        for (int k = 0; k < beta.length; k++) {
            beta[k] = r.nextGaussian();
        }
        double[] exact = expectedFitted(g, beta, pool);
        MaskSource masks = MaskDesign.RANDOM.source(5, CELLS, P);
        int n = 40000;
        int[] pix = {0, 5000, 25000, 40000, 50175};
        double[] num = new double[pix.length];
        double[] den = new double[pix.length];
        byte[] grid = new byte[49];
        int[] sh = new int[2];
        float[] mask = new float[H * W];
        for (int k = 0; k < n; k++) {
            masks.draw(k, grid, 0, sh, 0);
            double[] f = features(g, grid, sh, mask, pool);
            double v = 0;
            for (int a = 0; a < f.length; a++) {
                v += beta[a] * f[a];
            }
            for (int q = 0; q < pix.length; q++) {
                num[q] += v * mask[pix[q]];
                den[q] += mask[pix[q]];
            }
        }
        for (int q = 0; q < pix.length; q++) {
            System.out.printf(Locale.ROOT, "pixel %d: closed form %.4f, Monte Carlo %.4f%n", pix[q], exact[pix[q]],
                    num[q] / den[q]);
        }
    }

    /** Exact (full-resolution, all blocks stored) error estimate against the streaming one. */
    static void centring(String design, int truthN, int n, int seeds) throws Exception {
        Path cache = PretrainedModels.defaultCacheDir().resolve("quality");
        String v = QualityBench.CACHE_VERSION;
        float[] gtSims = read(cache.resolve("synthetic-balanced-" + v + "-s1000003-n" + truthN + ".f32"));
        double[] truth = plain(MaskDesign.BALANCED.source(1000003, CELLS, P), gtSims, truthN);
        MaskDesign d = MaskDesign.parse(design);
        double sumT = 0, sumExact = 0, sumStream = 0, sumNoCentre = 0;
        for (int s = 0; s < seeds; s++) {
            float[] sims = read(cache.resolve("synthetic-" + d.id() + "-" + v + "-s" + s + "-n3000.f32"));
            MaskSource masks = d.source(s, CELLS, P);
            int block = org.relax4j.estimate.BlockErrorEstimator.blockSizeFor(masks);
            int k = n / block;
            MaskGeometry g = new MaskGeometry(CELLS, H, W);
            double[][] bs = new double[k][H * W];
            double[][] bm = new double[k][H * W];
            org.relax4j.estimate.BlockErrorEstimator est = new org.relax4j.estimate.BlockErrorEstimator(H, W, block, CELLS, 0.9);
            byte[] grid = new byte[49];
            int[] sh = new int[2];
            float[] mask = new float[H * W];
            for (int i = 0; i < k * block; i++) {
                masks.draw(i, grid, 0, sh, 0);
                g.render(grid, 0, sh[0], sh[1], mask, 0);
                est.add(i, mask, 0, sims[i]);
                for (int p = 0; p < mask.length; p++) {
                    bs[i / block][p] += sims[i] * mask[p];
                    bm[i / block][p] += mask[p];
                }
            }
            double[] sumS = new double[H * W], sumM = new double[H * W], r = new double[H * W];
            for (int b = 0; b < k; b++) {
                for (int p = 0; p < H * W; p++) {
                    sumS[p] += bs[b][p];
                    sumM[p] += bm[b][p];
                }
            }
            double mean = 0;
            for (int p = 0; p < H * W; p++) {
                r[p] = sumS[p] / sumM[p];
                mean += r[p];
            }
            mean /= H * W;
            double total = 0, centred = 0, spread = 0;
            for (int b = 0; b < k; b++) {
                double avg = 0;
                double sq = 0;
                for (int p = 0; p < H * W; p++) {
                    double e = (bs[b][p] - r[p] * bm[b][p]) / sumM[p];
                    avg += e;
                    sq += e * e;
                }
                avg /= H * W;
                total += sq;
                centred += sq - H * W * avg * avg;
            }
            for (int p = 0; p < H * W; p++) {
                spread += (r[p] - mean) * (r[p] - mean);
            }
            double f = k / (k - 1.0);
            double dExact = f * centred;
            double dNo = f * total;
            double trueErr = QualityBench.relativeError(r, truth);
            sumT += trueErr * trueErr;
            sumExact += dExact / (spread - dExact);
            sumNoCentre += dNo / (spread - dNo);
            double st = est.estimate().relativeError();
            sumStream += st * st;
        }
        System.out.printf(Locale.ROOT, "%s n=%d: rms true %.4f, exact-centring estimate %.4f, streaming %.4f, uncentred %.4f%n",
                design, n, Math.sqrt(sumT / seeds), Math.sqrt(sumExact / seeds), Math.sqrt(sumStream / seeds),
                Math.sqrt(sumNoCentre / seeds));
    }

    static float[] read(Path f) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static double[] plain(MaskSource masks, float[] sims, int n) {
        return ratio(masks, sims, null, n);
    }

    static double[] ratio(MaskSource masks, float[] sims, double[] offset, int n) {
        MaskGeometry g = new MaskGeometry(CELLS, H, W);
        double[] s = new double[H * W];
        double[] m = new double[H * W];
        byte[] grid = new byte[CELLS * CELLS];
        int[] sh = new int[2];
        float[] mask = new float[H * W];
        for (int k = 0; k < n; k++) {
            masks.draw(k, grid, 0, sh, 0);
            g.render(grid, 0, sh[0], sh[1], mask, 0);
            double v = sims[k] - (offset == null ? 0 : offset[k]);
            for (int p = 0; p < mask.length; p++) {
                s[p] += v * mask[p];
                m[p] += mask[p];
            }
        }
        for (int p = 0; p < s.length; p++) {
            s[p] /= m[p];
        }
        return s;
    }

    /** Features: 1 and the rendered mask averaged over pool × pool blocks. */
    static double[] features(MaskGeometry g, byte[] grid, int[] sh, float[] mask, int pool) {
        g.render(grid, 0, sh[0], sh[1], mask, 0);
        double[] f = new double[1 + pool * pool];
        f[0] = 1;
        for (int i = 0; i < H; i++) {
            for (int j = 0; j < W; j++) {
                f[1 + (i * pool / H) * pool + j * pool / W] += mask[i * W + j];
            }
        }
        double per = (double) H * W / (pool * pool);
        for (int k = 1; k < f.length; k++) {
            f[k] /= per;
        }
        return f;
    }

    static double[] controlVariate(MaskSource masks, float[] sims, int n, int pool, double ridge) {
        MaskGeometry g = new MaskGeometry(CELLS, H, W);
        int nf = 1 + pool * pool;
        double[][] phi = new double[n][];
        byte[] grid = new byte[CELLS * CELLS];
        int[] sh = new int[2];
        float[] mask = new float[H * W];
        double[] xtx = new double[nf * nf];
        double[] xty = new double[nf];
        for (int k = 0; k < n; k++) {
            masks.draw(k, grid, 0, sh, 0);
            phi[k] = features(g, grid, sh, mask, pool);
            for (int a = 0; a < nf; a++) {
                xty[a] += phi[k][a] * sims[k];
                for (int b = 0; b < nf; b++) {
                    xtx[a * nf + b] += phi[k][a] * phi[k][b];
                }
            }
        }
        for (int a = 1; a < nf; a++) {
            xtx[a * nf + a] += ridge * n;
        }
        double[] beta = solve(xtx, xty, nf);
        double[] fitted = new double[n];
        for (int k = 0; k < n; k++) {
            double v = 0;
            for (int a = 0; a < nf; a++) {
                v += beta[a] * phi[k][a];
            }
            fitted[k] = v;
        }
        double[] residualMap = ratio(masks, sims, fitted, n);
        double[] term2 = expectedFitted(g, beta, pool);
        for (int p = 0; p < residualMap.length; p++) {
            residualMap[p] += term2[p];
        }
        return residualMap;
    }

    /** E[β·φ(m) m(p)] / E[m(p)] in closed form (independent cells kept with probability P, uniform shifts). */
    static double[] expectedFitted(MaskGeometry g, double[] beta, int pool) {
        int[] ri = g.rowIndices();
        float[] rw = g.rowWeights();
        int[] ci = g.colIndices();
        float[] cw = g.colWeights();
        double sumBeta = 0;
        for (int k = 1; k < beta.length; k++) {
            sumBeta += beta[k];
        }
        double[] out = new double[H * W];
        for (int dx = 0; dx < CELLS; dx++) {
            // rowMean[a][F] = mean over rows i in pooled band F of row weight of grid row a
            double[][] rowMean = axisMeans(ri, rw, dx, H, pool);
            for (int dy = 0; dy < CELLS; dy++) {
                double[][] colMean = axisMeans(ci, cw, dy, W, pool);
                double[] gamma = new double[CELLS * CELLS];
                for (int a = 0; a < CELLS; a++) {
                    for (int b = 0; b < CELLS; b++) {
                        double v = 0;
                        for (int fi = 0; fi < pool; fi++) {
                            for (int fj = 0; fj < pool; fj++) {
                                v += beta[1 + fi * pool + fj] * rowMean[a][fi] * colMean[b][fj];
                            }
                        }
                        gamma[a * CELLS + b] = v;
                    }
                }
                for (int i = 0; i < H; i++) {
                    int kr = 2 * (dx * H + i);
                    for (int j = 0; j < W; j++) {
                        int kc = 2 * (dy * W + j);
                        double v = 0;
                        for (int t = 0; t < 2; t++) {
                            for (int u = 0; u < 2; u++) {
                                v += rw[kr + t] * cw[kc + u] * gamma[ri[kr + t] * CELLS + ci[kc + u]];
                            }
                        }
                        out[i * W + j] += v;
                    }
                }
            }
        }
        for (int p = 0; p < out.length; p++) {
            out[p] = beta[0] + P * sumBeta + (1 - P) * out[p] / (CELLS * CELLS);
        }
        return out;
    }

    static double[][] axisMeans(int[] idx, float[] wt, int s, int n, int pool) {
        double[][] m = new double[CELLS][pool];
        int[] count = new int[pool];
        for (int i = 0; i < n; i++) {
            int f = i * pool / n;
            count[f]++;
            int k = 2 * (s * n + i);
            m[idx[k]][f] += wt[k];
            m[idx[k + 1]][f] += wt[k + 1];
        }
        for (int a = 0; a < CELLS; a++) {
            for (int f = 0; f < pool; f++) {
                m[a][f] /= count[f];
            }
        }
        return m;
    }

    static double[] solve(double[] a, double[] b, int n) {
        double[] m = a.clone();
        double[] x = b.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) {
                    piv = r;
                }
            }
            for (int k = 0; k < n; k++) {
                double t = m[c * n + k];
                m[c * n + k] = m[piv * n + k];
                m[piv * n + k] = t;
            }
            double t = x[c];
            x[c] = x[piv];
            x[piv] = t;
            for (int r = c + 1; r < n; r++) {
                double f = m[r * n + c] / m[c * n + c];
                for (int k = c; k < n; k++) {
                    m[r * n + k] -= f * m[c * n + k];
                }
                x[r] -= f * x[c];
            }
        }
        for (int c = n - 1; c >= 0; c--) {
            double s = x[c];
            for (int k = c + 1; k < n; k++) {
                s -= m[c * n + k] * x[k];
            }
            x[c] = s / m[c * n + c];
        }
        return x;
    }
}
