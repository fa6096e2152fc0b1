package org.reconvene.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/METHOD.md section 8 lists exactly the columns ResultSchema declares, nested fields included. */
class MethodDocTest {

    private static final Pattern NAME = Pattern.compile("`([a-z0-9_]+)`");

    @Test
    void sectionEightListsEveryDeclaredColumnAndNoOther() throws Exception {
        String doc = Files.readString(Path.of("../docs/METHOD.md"));
        String section = doc.substring(doc.indexOf("## 8. A result row"));
        Set<String> columns = new LinkedHashSet<>();
        Set<String> nested = new LinkedHashSet<>();
        for (String line : section.lines().toList()) {
            String[] cells = line.split("\\|");
            if (cells.length < 4 || !line.startsWith("| ") || line.startsWith("| group") || line.startsWith("| ---")) {
                continue;
            }
            Matcher m = NAME.matcher(cells[2]);
            while (m.find()) {
                columns.add(m.group(1));
            }
            if (cells[1].trim().equals("detail")) {
                Matcher n = NAME.matcher(cells[3]);
                while (n.find()) {
                    nested.add(cells[2].trim().replace("`", "") + "." + n.group(1));
                }
            }
        }
        Set<String> declared = new LinkedHashSet<>(ResultSchema.scalars().keySet());
        declared.add("layers");
        declared.add("history");
        assertEquals(declared, columns, "section 8 against ResultSchema");
        Set<String> fields = new LinkedHashSet<>();
        ResultSchema.LAYER.keySet().forEach(f -> fields.add("layers." + f));
        ResultSchema.EPOCH.keySet().forEach(f -> fields.add("history." + f));
        assertEquals(fields, nested, "nested fields");
    }
}
