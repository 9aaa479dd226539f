package filter_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/saplab/filter"
)

func echo(t *testing.T, q *filter.Query) string {
	t.Helper()
	b, err := phpjson.Marshal(q.Echo)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		in   string
		spec filter.Spec
		echo string
		then func(t *testing.T, q *filter.Query)
	}{
		{"no filters", "", filter.Clients, `{"per_page":20}`, func(t *testing.T, q *filter.Query) {
			if q.Page != 1 || q.PerPage != 20 || q.IDs != nil {
				t.Fatalf("%+v", q)
			}
		}},
		{"trailing slash", "/", filter.Clients, `{"per_page":20}`, nil},
		{"id list", "/client_id/1,2,3,2", filter.Clients, `{"client_id":"1,2,3,2","per_page":20}`, func(t *testing.T, q *filter.Query) {
			if len(q.IDs) != 3 || q.IDs[2] != 3 {
				t.Fatalf("ids %v", q.IDs)
			}
		}},
		{"single id", "/order_ids/20", filter.Orders, `{"order_ids":"20","per_page":20}`, nil},
		{"url-decoded text", "/client_name/%D0%9F%D1%83%D0%BF%D0%BA%D0%B8%D0%BD", filter.Clients, `{"client_name":"\u041f\u0443\u043f\u043a\u0438\u043d","per_page":20}`, nil},
		{"encoded slash stays in the value", "/name/a%2Fb", filter.Orders, `{"name":"a\/b","per_page":20}`, func(t *testing.T, q *filter.Query) {
			if q.Texts["name"] != "a/b" {
				t.Fatal(q.Texts)
			}
		}},
		{"phone by digits", "/phone/%2B7(123)456-78-90", filter.Clients, `{"phone":"+7(123)456-78-90","per_page":20}`, func(t *testing.T, q *filter.Query) {
			if q.Texts["phone"] != "1234567890" {
				t.Fatal(q.Texts)
			}
		}},
		{"per_page given is a number in its slot", "/per_page/50/page/2", filter.Clients, `{"per_page":50,"page":"2"}`, func(t *testing.T, q *filter.Query) {
			if q.Offset() != 50 {
				t.Fatal(q.Offset())
			}
		}},
		{"per_page capped", "/per_page/1000", filter.Orders, `{"per_page":150}`, nil},
		{"repeated key keeps first slot and last value", "/brand/A/page/1/brand/B", filter.Orders, `{"brand":"B","page":"1","per_page":20}`, nil},
		{"inclusive dates", "/date_from/2016-12-31/date_to/2017-01-04", filter.Orders, `{"date_from":"2016-12-31","date_to":"2017-01-04","per_page":20}`, func(t *testing.T, q *filter.Query) {
			if q.From.Format(time.DateTime) != "2016-12-31 00:00:00" || q.To.Format(time.DateTime) != "2017-01-05 00:00:00" {
				t.Fatal(q.From, q.To)
			}
		}},
		{"same day both ends", "/date_from/2017-01-04/date_to/2017-01-04", filter.Clients, `{"date_from":"2017-01-04","date_to":"2017-01-04","per_page":20}`, nil},
		{"bools", "/is_payed/1/unignore_archived/0", filter.Orders, `{"is_payed":"1","unignore_archived":"0","per_page":20}`, func(t *testing.T, q *filter.Query) {
			if v, ok := q.Bools["is_payed"]; !ok || !v {
				t.Fatal(q.Bools)
			}
			if v, ok := q.Bools["unignore_archived"]; !ok || v {
				t.Fatal(q.Bools)
			}
		}},
		{"manager 0 means none", "/manager_id/0", filter.Clients, `{"manager_id":"0","per_page":20}`, func(t *testing.T, q *filter.Query) {
			if v, ok := q.Ints["manager_id"]; !ok || v != 0 {
				t.Fatal(q.Ints)
			}
		}},
		{"empty text value", "/client_name/", filter.Clients, `{"client_name":"","per_page":20}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := filter.Parse(tc.in, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := echo(t, q); got != tc.echo {
				t.Fatalf("echo %s, want %s", got, tc.echo)
			}
			if tc.then != nil {
				tc.then(t, q)
			}
		})
	}
}

func TestParse_rejects(t *testing.T) {
	cases := []struct {
		name, in string
		spec     filter.Spec
		want     string
	}{
		{"odd segment count", "/client_id/1/page", filter.Clients, `Фильтр задаётся парами /ключ/значение, а в адресе 3 сегментов: у ключа "page" нет значения.`},
		{"unknown key", "/colour/red", filter.Clients, `Неизвестный фильтр "colour". Доступны: client_id, client_name, phone, email, is_wholesaler, client_group, date_from, date_to, manager_id, page, per_page.`},
		{"order key on clients", "/order_ids/1", filter.Clients, `Неизвестный фильтр "order_ids"`},
		{"bad id list", "/client_id/1,x", filter.Clients, `Неверное значение фильтра client_id: "1,x". Нужен идентификатор или несколько через запятую: 1 или 1,2,3.`},
		{"empty id in list", "/order_ids/1,,2", filter.Orders, `Неверное значение фильтра order_ids`},
		{"negative id", "/manager_id/-1", filter.Orders, `Неверное значение фильтра manager_id: "-1". Нужен целый неотрицательный идентификатор.`},
		{"huge id", "/client_group/99999999999999999999", filter.Clients, `Неверное значение фильтра client_group`},
		{"bad bool", "/is_wholesaler/yes", filter.Clients, `Неверное значение фильтра is_wholesaler: "yes". Нужно 1 или 0.`},
		{"bad date", "/date_from/31.12.2016", filter.Clients, `Неверное значение фильтра date_from: "31.12.2016". Нужна дата вида 2016-12-31.`},
		{"impossible date", "/date_to/2017-02-30", filter.Orders, `Нужна дата вида 2016-12-31.`},
		{"dates reversed", "/date_from/2017-02-01/date_to/2017-01-01", filter.Orders, `Фильтр date_from (2017-02-01) позже date_to (2017-01-01).`},
		{"page zero", "/page/0", filter.Orders, `Неверное значение фильтра page: "0". Страницы нумеруются с 1.`},
		{"per_page zero", "/per_page/0", filter.Orders, `Неверное значение фильтра per_page: "0". Нужно целое число от 1 до 150.`},
		{"phone without digits", "/phone/abc", filter.Clients, `Неверное значение фильтра phone: "abc".`},
		{"bad escape", "/client_name/%zz", filter.Clients, `Неверное URL-кодирование в фильтре: "%zz".`},
		{"invalid utf-8", "/client_name/%ff", filter.Clients, `Фильтр "%ff" после URL-декодирования не является текстом в UTF-8.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := filter.Parse(tc.in, tc.spec)
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err %v is not a *filter.Error", err)
			}
			if !strings.Contains(fe.Text, tc.want) {
				t.Fatalf("got  %s\nwant %s", fe.Text, tc.want)
			}
		})
	}
}

// FuzzParse checks that no path makes the parser panic or accept a page
// setting outside the documented bounds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"/client_id/1,2", "/page/2/per_page/500", "/phone/%2B7", "/date_from/2016-12-31/date_to/2016-12-31", "/a", "//", "/%zz/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, spec := range []filter.Spec{filter.Clients, filter.Orders} {
			q, err := filter.Parse(s, spec)
			if err != nil {
				var fe *filter.Error
				if !errors.As(err, &fe) || fe.Text == "" {
					t.Fatalf("error %v is not a filter error with a text", err)
				}
				continue
			}
			if q.Page < 1 || q.PerPage < 1 || q.PerPage > filter.MaxPerPage || q.Offset() < 0 {
				t.Fatalf("paging out of bounds: %+v", q)
			}
			if _, err := phpjson.Marshal(q.Echo); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestDigits(t *testing.T) {
	for in, want := range map[string]string{
		"+7 (999) 000-00-00": "9990000000",
		"8-999-000-00-00":    "9990000000",
		"79990000000":        "9990000000",
		"9990000000":         "9990000000",
		"69990000000":        "69990000000", // 11 digits, but not a Russian 7/8 prefix
		"7999000000":         "7999000000",  // 10 digits: nothing dropped
		"abc":                "",
		"":                   "",
		"٣٤5\xff6":           "56", // Arabic-Indic digits and invalid UTF-8 are not digits
		"7\u00a09990000000":  "9990000000",
	} {
		if got := filter.Digits(in); got != want {
			t.Errorf("Digits(%q) = %q, want %q", in, got, want)
		}
	}
}
