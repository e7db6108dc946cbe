package org.relax4j.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.relax4j.Json;
import org.relax4j.text.HtmlPage;
import org.relax4j.text.MiniLm;
import org.relax4j.text.TextExplainer;
import org.relax4j.text.TextExplanation;
import org.relax4j.text.TextJson;
import picocli.CommandLine;

/**
 * {@code POST /explain-text} of {@code relax serve}: {@code relax explain-text}'s options as form fields, checked by
 * that command's own model, run behind the same queue and limits as images. MiniLM is loaded at the first request and
 * kept. Only referenced once the text model's libraries are known to be on the class path (the light jar has none).
 */
final class ServeText {
    /** The form fields besides {@code text} and {@code query}. */
    static final Set<String> FIELDS = Set.of("masks", "seed", "masking", "units");

    private final int threads;
    private MiniLm model;

    ServeText(int threads) {
        this.threads = threads;
    }

    private synchronized MiniLm model() {
        if (model == null) {
            model = MiniLm.load(threads);
        }
        return model;
    }

    /**
     * Checks the request and queues it.
     *
     * @throws ExplainService.Failure 400 naming the field
     */
    ExplainService.Job submit(ExplainService service, Map<String, String> fields) {
        String text = fields.get("text");
        if (text == null) {
            throw new ExplainService.Failure(400, "no field 'text': send the text to explain (and optionally 'query')");
        }
        List<String> args = new ArrayList<>();
        args.add(text);
        for (Map.Entry<String, String> f : fields.entrySet()) {
            if (f.getKey().equals("text")) {
                continue;
            }
            if (!f.getKey().equals("query") && !FIELDS.contains(f.getKey())) {
                throw new ExplainService.Failure(400, "unknown field '" + f.getKey() + "'; the fields are text, query, "
                        + String.join(", ", new java.util.TreeSet<>(FIELDS)));
            }
            args.add("--" + f.getKey());
            args.add(f.getValue());
        }
        ExplainTextCommand command = new ExplainTextCommand();
        try {
            new CommandLine(command).parseArgs(args.toArray(new String[0]));
            command.checkOptions();
            command.checkInput(model());
        } catch (CommandLine.ParameterException ex) {
            throw new ExplainService.Failure(400, ex.getMessage().replace("--", "").replace("TEXT", "text"));
        }
        MiniLm m = model();
        return service.submit(command.masks, (job, engine) -> {
            TextExplanation e;
            try (TextExplainer explainer = command.explainer(m)) {
                e = explainer.explain(command.text, command.query, p -> job.progress = p, job.token);
            }
            String json = TextJson.write(e);
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("explanation.json", json.getBytes(StandardCharsets.UTF_8));
            files.put("explanation.html", HtmlPage.render(e).getBytes(StandardCharsets.UTF_8));
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            org.relax4j.image.Images.writePng(org.relax4j.text.TextPicture.render(e), png);
            files.put("explanation.png", png.toByteArray());
            return service.keep(job.id, files, Json.readObject(json));
        });
    }
}
