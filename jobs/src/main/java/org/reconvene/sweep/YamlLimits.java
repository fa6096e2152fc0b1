package org.reconvene.sweep;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The bounds a sweep file must stay within, so that reading one costs a bounded amount of time
 * and memory whatever it contains, and an error message never grows with the input.
 *
 * <p>SnakeYAML builds an aliased node once and shares it, so a document of a few kilobytes can
 * describe a tree of billions of values (an "alias bomb") that only blows up when something walks
 * or prints it. Hence three guards: the parser's own limits ({@link #loaderOptions()}), a walk of
 * the loaded tree that counts values as if every alias were expanded and stops at the first cycle
 * ({@link #check}), and {@link #brief}, which prints at most a short prefix of any value.
 */
public final class YamlLimits {

    /** Largest sweep file, in bytes (the shipped ones are under 4 KB). */
    static final int MAX_BYTES = 1 << 20;
    /** Most values the document may hold with its aliases expanded. */
    static final int MAX_VALUES = 100_000;
    /** Characters of a value quoted in an error message. */
    static final int QUOTE_CHARS = 80;

    private YamlLimits() {}

    /** The parser's limits: no duplicate keys, few aliases, shallow nesting, a bounded document. */
    static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setAllowDuplicateKeys(false);
        o.setAllowRecursiveKeys(false);
        o.setMaxAliasesForCollections(20);
        o.setNestingDepthLimit(20);
        o.setCodePointLimit(MAX_BYTES);
        return o;
    }

    /**
     * Refuses a loaded document that refers to itself or expands to more than {@link #MAX_VALUES}
     * values; returns normally otherwise.
     */
    static void check(String file, Object root) {
        long[] budget = {MAX_VALUES};
        walk(file, root, Collections.newSetFromMap(new IdentityHashMap<>()), budget);
    }

    private static void walk(String file, Object v, Set<Object> path, long[] budget) {
        if (--budget[0] < 0) {
            throw new SweepSpecException(file, null, "the document expands to more than " + MAX_VALUES
                    + " values (aliases expanded); a sweep file is a few dozen lines");
        }
        if (!(v instanceof Map<?, ?>) && !(v instanceof Collection<?>)) {
            return;
        }
        if (!path.add(v)) {
            throw new SweepSpecException(file, null, "a recursive alias: a value contains itself");
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                walk(file, e.getKey(), path, budget);
                walk(file, e.getValue(), path, budget);
            }
        } else {
            for (Object x : (Collection<?>) v) {
                walk(file, x, path, budget);
            }
        }
        path.remove(v);
    }

    /**
     * A parser error as its problem and position, without the quoted context SnakeYAML adds
     * (which can be a line of any length).
     */
    static String describe(org.yaml.snakeyaml.error.YAMLException e) {
        if (e instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblem() != null) {
            String where = m.getProblemMark() == null ? "" : " at line " + (m.getProblemMark().getLine() + 1)
                    + ", column " + (m.getProblemMark().getColumn() + 1);
            return brief(m.getProblem()) + where;
        }
        return brief(e.getMessage());
    }

    /** At most {@link #QUOTE_CHARS} characters of {@code v}'s text, built without printing all of it. */
    public static String brief(Object v) {
        StringBuilder sb = new StringBuilder();
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(v);
        while (!todo.isEmpty() && sb.length() <= QUOTE_CHARS) {
            Object x = todo.pop();
            if (x instanceof Token t) {
                sb.append(t.text);
            } else if (x instanceof Map<?, ?> m) {
                pushAll(todo, m.entrySet().stream().map(e -> (Object) new Object[] {e.getKey(), e.getValue()}).toList(),
                        "{", "}");
            } else if (x instanceof Object[] kv) {
                todo.push(kv[1] == null ? new Token("null") : kv[1]); // a deque holds no nulls
                todo.push(new Token("="));
                todo.push(kv[0]);
            } else if (x instanceof Collection<?> c) {
                pushAll(todo, c, "[", "]");
            } else {
                String s = String.valueOf(x);
                sb.append(s, 0, Math.min(s.length(), QUOTE_CHARS + 1 - Math.min(sb.length(), QUOTE_CHARS)));
            }
        }
        return sb.length() > QUOTE_CHARS || !todo.isEmpty() ? sb.substring(0, Math.min(sb.length(), QUOTE_CHARS)) + "..."
                : sb.toString();
    }

    private static void pushAll(Deque<Object> todo, Collection<?> items, String open, String close) {
        todo.push(new Token(close));
        Object[] arr = items.stream().limit(QUOTE_CHARS).toArray();
        for (int i = arr.length - 1; i >= 0; i--) {
            todo.push(arr[i]);
            if (i > 0) {
                todo.push(new Token(", "));
            }
        }
        todo.push(new Token(open));
    }

    private record Token(String text) {}
}
