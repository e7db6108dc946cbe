package org.relax4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine;

/** A {@code relax serve} started in this JVM as the command line starts it, and a small client for it. */
final class Served implements AutoCloseable {
    final ServeCommand.Running running;
    final StringWriter log = new StringWriter();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String token;

    /** Starts {@code relax serve ARGS --port 0}. */
    Served(String... args) throws Exception {
        ServeCommand command = new ServeCommand();
        CommandLine cl = new CommandLine(command);
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--port";
        all[args.length + 1] = "0";
        cl.parseArgs(all);
        running = command.start(new PrintWriter(log, true));
    }

    Served token(String t) {
        this.token = t;
        return this;
    }

    String url(String path) {
        return running.url() + path.replaceFirst("^/", "");
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofMinutes(2));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> bytes(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A multipart form: file fields (name to path) and text fields. */
    static Form form() {
        return new Form();
    }

    static final class Form {
        final String boundary = "relax" + UUID.randomUUID().toString().replace("-", "");
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Form file(String name, Path file) {
            try {
                return part("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + file.getFileName()
                        + "\"\r\nContent-Type: application/octet-stream", Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Form field(String name, Object value) {
            return part("Content-Disposition: form-data; name=\"" + name + "\"",
                    String.valueOf(value).getBytes(StandardCharsets.UTF_8));
        }

        Form fields(Map<String, ?> fields) {
            fields.forEach(this::field);
            return this;
        }

        private Form part(String headers, byte[] content) {
            body.writeBytes(("--" + boundary + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            return this;
        }

        byte[] bytes() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(body.toByteArray());
            all.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return all.toByteArray();
        }
    }

    HttpRequest.Builder post(String path, Form form) {
        return request(path).header("Content-Type", "multipart/form-data; boundary=" + form.boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes()));
    }

    HttpResponse<String> explain(Form form) throws IOException, InterruptedException {
        return http.send(post("/explain", form).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST /explain-text} with the fields as an URL-encoded form. */
    HttpResponse<String> explainText(Map<String, String> fields) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&")
                .append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return http.send(request("/explain-text").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        running.close();
    }
}
