package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jocl.cl_mem;
import org.junit.jupiter.api.Test;

/**
 * Every kernel wrapper binds exactly the arguments its {@code __kernel} in {@code relax.cl} declares: same number,
 * same order, same names, same types. The signatures are parsed from the shipped source, the bindings recorded
 * through {@link KernelArgs}; no device needed.
 */
class KernelSignatureTest {

    /** A parameter: its name and what a binding must pass for it. */
    record Param(String name, String kind) {
    }

    /** Records the bindings instead of setting them. */
    private static final class Recorder implements KernelArgs {
        final List<Param> params = new ArrayList<>();

        @Override
        public KernelArgs mem(String name, cl_mem buffer) {
            params.add(new Param(name, "pointer"));
            return this;
        }

        @Override
        public KernelArgs i32(String name, int value) {
            params.add(new Param(name, "int"));
            return this;
        }

        @Override
        public KernelArgs f32(String name, float value) {
            params.add(new Param(name, "float"));
            return this;
        }

        @Override
        public KernelArgs u64(String name, long value) {
            params.add(new Param(name, "ulong"));
            return this;
        }
    }

    private static final Pattern KERNEL = Pattern.compile("__kernel\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");

    /** Every {@code __kernel} of the source, in file order, with its parameters. */
    static Map<String, List<Param>> signatures(String source) {
        String code = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
        Map<String, List<Param>> out = new LinkedHashMap<>();
        Matcher m = KERNEL.matcher(code);
        while (m.find()) {
            List<Param> params = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                String decl = p.strip().replaceAll("\\s+", " ");
                String name = decl.substring(decl.replace("*", " ").lastIndexOf(' ') + 1);
                String type = decl.substring(0, decl.length() - name.length()).strip();
                String kind;
                if (type.contains("*")) {
                    assertTrue(type.startsWith("__global"), m.group(1) + ": pointer " + decl + " is not __global");
                    kind = "pointer";
                } else {
                    kind = type.replace("const", "").strip();
                }
                params.add(new Param(name, kind));
            }
            out.put(m.group(1), params);
        }
        return out;
    }

    private static List<Param> recorded(Consumer<KernelArgs> bind) {
        Recorder r = new Recorder();
        bind.accept(r);
        return r.params;
    }

    @Test
    void everyBindingMatchesItsSignature() {
        Map<String, List<Param>> cl = signatures(KernelProgram.defaultSource());
        cl_mem m = new cl_mem();
        Map<String, List<Param>> java = new LinkedHashMap<>();
        java.put(DrawMasksKernel.NAME, recorded(a -> DrawMasksKernel.bind(a, 1L, 7, 0.5f, 0L, 3, m, m)));
        java.put(BlendKernel.NAME, recorded(a -> BlendKernel.bind(a, m, m, m, m, 7, 20, 3, m)));
        java.put(RenderKernel.NAME, recorded(a -> RenderKernel.bind(a, m, m, m, m, m, 7, 20, 20, 3, 0, 3, m, null)));
        java.put(AccumulateKernel.NAME, recorded(a -> AccumulateKernel.bind(a, m, m, m, m, m, 7, 20, 20, 3, m, m, m)));
        java.put(AccumulateMasksKernel.NAME, recorded(a -> AccumulateMasksKernel.bind(a, m, m, 400, 3, m, m, m)));
        assertEquals(cl.keySet(), java.keySet(), "kernels in relax.cl vs kernels with a Java wrapper");
        for (String kernel : cl.keySet()) {
            assertEquals(cl.get(kernel), java.get(kernel), kernel + ": the binding differs from the signature");
        }
    }

    @Test
    void theParserReadsPointersScalarsAndComments() {
        Map<String, List<Param>> s = signatures("/* __kernel void not_this(int a) */\n"
                + "__kernel void k(__global const float *x, const int n, // a comment\n const ulong seed,\n"
                + "                __global uchar *out) { }");
        assertEquals(Map.of("k", List.of(new Param("x", "pointer"), new Param("n", "int"), new Param("seed", "ulong"),
                new Param("out", "pointer"))), s);
    }
}
