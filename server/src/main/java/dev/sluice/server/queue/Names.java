package dev.sluice.server.queue;

import dev.sluice.server.error.SluiceException;
import java.util.regex.Pattern;

/** Queue and topic names: 1 to 200 of [A-Za-z0-9._-], not starting with '.' or '-'. */
final class Names {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,199}");

    private Names() {}

    static String check(String what, String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            String shown = name == null ? "null" : name.length() > 40 ? name.substring(0, 40) + "..." : name;
            throw SluiceException.invalid(what + " must be 1-200 characters of [A-Za-z0-9._-], not starting with"
                    + " '.' or '-', was '" + shown + "'");
        }
        return name;
    }
}
