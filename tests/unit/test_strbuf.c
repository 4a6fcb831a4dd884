#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

static void json_string_escapes(void **state)
{
    strbuf sb;
    sb_init(&sb);
    sb_json_str(&sb, "a\"b\\c\n\x01");
    sb_puts(&sb, ",");
    sb_json_str(&sb, NULL);
    char *out = NULL;
    assert_int_equal(sb_finish(&sb, &out), HASP_OK);
    assert_string_equal(out, "\"a\\\"b\\\\c\\n\\u0001\",null");
    free(out);
}

static void json_numbers(void **state)
{
    strbuf sb;
    sb_init(&sb);
    sb_json_num(&sb, 20);
    sb_puts(&sb, " ");
    sb_json_num(&sb, 1.5);
    sb_puts(&sb, " ");
    sb_json_num(&sb, NAN);
    sb_puts(&sb, " ");
    sb_json_num(&sb, 123456.789);
    char *out = NULL;
    assert_int_equal(sb_finish(&sb, &out), HASP_OK);
    assert_string_equal(out, "20 1.5 null 123456.789");
    free(out);
}

static void grows_past_initial_capacity(void **state)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < 1000; i++)
        sb_printf(&sb, "%04d", i);
    assert_int_equal(sb.len, 4000);
    assert_memory_equal(sb.data + 3996, "0999", 4);
    sb_reset(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.data, "");
    sb_free(&sb);
}

static void empty_finish_gives_empty_string(void **state)
{
    strbuf sb;
    sb_init(&sb);
    char *out = NULL;
    assert_int_equal(sb_finish(&sb, &out), HASP_OK);
    assert_non_null(out);
    assert_string_equal(out, "");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_string_escapes),
        cmocka_unit_test(json_numbers),
        cmocka_unit_test(grows_past_initial_capacity),
        cmocka_unit_test(empty_finish_gives_empty_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
