package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CLI's durations: Go's time.ParseDuration syntax (cases from Go's TestParseDuration) and ISO-8601. */
class DurationConverterTest {
    private static Duration parse(String s) {
        return GlobalOptions.DurationConverter.parse(s);
    }

    @Test
    void parseDuration_acceptsWhatGoAccepts() { // Go: time_test.go, parseDurationTests
        assertThat(parse("0")).isEqualTo(Duration.ZERO);
        assertThat(parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse("1478s")).isEqualTo(Duration.ofSeconds(1478));
        assertThat(parse("-5s")).isEqualTo(Duration.ofSeconds(-5));
        assertThat(parse("+5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse("5.6s")).isEqualTo(Duration.ofMillis(5600));
        assertThat(parse("5.s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse(".5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(parse("1.004s")).isEqualTo(Duration.ofMillis(1004));
        assertThat(parse("100.00100s")).isEqualTo(Duration.ofMillis(100_001));
        assertThat(parse("10ns")).isEqualTo(Duration.ofNanos(10));
        assertThat(parse("11us")).isEqualTo(Duration.ofNanos(11_000));
        assertThat(parse("12\u00b5s")).isEqualTo(Duration.ofNanos(12_000));
        assertThat(parse("13ms")).isEqualTo(Duration.ofMillis(13));
        assertThat(parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(parse("16h")).isEqualTo(Duration.ofHours(16));
        assertThat(parse("3h30m")).isEqualTo(Duration.ofMinutes(210));
        assertThat(parse("10.5s4m")).isEqualTo(Duration.ofMillis(4 * 60_000 + 10_500));
        assertThat(parse("-2m3.4s")).isEqualTo(Duration.ofMillis(-123_400));
        assertThat(parse("1h2m3s4ms5us6ns")).isEqualTo(Duration.ofNanos(3_723_004_005_006L));
        assertThat(parse("39h9m14.425s")).isEqualTo(Duration.ofMillis(39 * 3_600_000L + 9 * 60_000 + 14_425));
    }

    @Test
    void parseDuration_refusesWhatGoRefuses() { // Go: time_test.go, parseDurationErrorTests
        for (String bad : new String[] {"", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "1s2", "1 s"}) {
            assertThat(parse(bad)).as("'%s'", bad).isNull();
        }
    }

    @Test
    void isoDurations_andNoNegatives() {
        assertThat(parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(parse("pt1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(new GlobalOptions.DurationConverter().convert("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> new GlobalOptions.DurationConverter().convert("-1s"))
                .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> new GlobalOptions.DurationConverter().convert("soon"))
                .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("not a duration");
    }
}
