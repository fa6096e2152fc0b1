package org.reconvene.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import java.util.StringJoiner;
import org.reconvene.trial.TrialConfig;

/** A trial as a dry run shows it: its id, then the settings that apply (no nulls), numbers to four significant digits. */
final class TrialText {

    private TrialText() {}

    static String describe(TrialConfig t) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        for (Map.Entry<String, Object> e : t.toMap().entrySet()) {
            if (e.getValue() != null) {
                j.add(e.getKey() + "=" + value(e.getValue()));
            }
        }
        return t.trialId() + " " + j;
    }

    static String value(Object v) {
        if (v instanceof Double d && Double.isFinite(d)) {
            return BigDecimal.valueOf(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(v);
    }
}
