package dev.sluice.proto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The .proto files are the API's reference (generated code, other languages' clients and
 * grpcurl users read them), so every service, rpc, message, enum, oneof, field and enum value
 * must be preceded by a comment line. A blank line between the comment and the declaration does
 * not count: protoc attaches only adjacent leading comments to the descriptor.
 */
class ProtoDocumentationTest {
    private static final Path PROTO_ROOT = Path.of("src", "main", "proto");

    private static final Pattern DECLARATION = Pattern.compile(String.join("|",
            "^(service|message|enum|oneof)\\s+\\w+\\s*\\{.*",                               // blocks
            "^rpc\\s+\\w+\\s*\\(.*",                                                         // methods
            "^(repeated\\s+|optional\\s+)?(map\\s*<[^>]+>|[\\w.]+)\\s+\\w+\\s*=\\s*\\d+.*;.*", // fields
            "^\\w+\\s*=\\s*-?\\d+.*;.*"));                                                     // enum values

    /** Declarations in {@code lines} without a comment on the line just above, as "line: text". */
    static List<String> undocumented(List<String> lines) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (DECLARATION.matcher(line).matches()
                    && (i == 0 || !lines.get(i - 1).strip().startsWith("//"))) {
                missing.add((i + 1) + ": " + line);
            }
        }
        return missing;
    }

    /** How many declarations {@code lines} has, so the check cannot pass by matching nothing. */
    static long declarations(List<String> lines) {
        return lines.stream().map(String::strip).filter(l -> DECLARATION.matcher(l).matches()).count();
    }

    @Test
    void everyDeclarationInTheProtoSources_hasALeadingComment() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(PROTO_ROOT)) {
            files = walk.filter(p -> p.toString().endsWith(".proto")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("cache.proto", "common.proto", "queue.proto");

        List<String> missing = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            total += declarations(lines);
            undocumented(lines).forEach(m -> missing.add(PROTO_ROOT.relativize(f) + ":" + m));
        }

        assertThat(total).as("declarations found").isGreaterThan(100);
        assertThat(missing).as("declarations without a leading // comment").isEmpty();
    }

    @Test
    void undocumented_findsEveryKindOfDeclaration_andAcceptsCommentedOnes() {
        List<String> proto = List.of(
                "syntax = \"proto3\";",
                "package x.v1;",
                "option java_multiple_files = true;",
                "import \"google/protobuf/duration.proto\";",
                "service S {",
                "  rpc Get(A) returns (A);",
                "}",
                "// Documented.",
                "message A {",
                "  bytes key = 1;",
                "  // Documented.",
                "  repeated string names = 2;",
                "",
                "  map<string, string> attributes = 3;",
                "  oneof choice {",
                "    // Documented.",
                "    google.protobuf.Duration ttl = 4;",
                "  }",
                "  enum Type {",
                "    TYPE_UNSPECIFIED = 0;",
                "  }",
                "}",
                "message Empty {}");

        assertThat(undocumented(proto)).containsExactly(
                "5: service S {",
                "6: rpc Get(A) returns (A);",
                "10: bytes key = 1;",
                "14: map<string, string> attributes = 3;",
                "15: oneof choice {",
                "19: enum Type {",
                "20: TYPE_UNSPECIFIED = 0;",
                "23: message Empty {}");
    }
}
