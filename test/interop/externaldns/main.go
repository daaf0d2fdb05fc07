// A stand-in for ExternalDNS's rfc2136 provider (sigs.k8s.io/external-dns/provider/rfc2136), built
// on the same DNS library it uses (github.com/miekg/dns, Debian golang-github-miekg-dns-dev) and
// sending the same messages: records are listed by a TSIG-signed AXFR, a Create is an UPDATE with
// Insert (class IN, the endpoint's TTL, 0 by default), a Delete is Remove (class NONE, TTL 0, one
// RR per target), an update is Remove of the old targets then Insert of the new ones, batched into
// one UPDATE per batch-size changes, each signed with fudge 300.
//
//	externaldns-rfc2136 -server 127.0.0.1:5300 -zone ext.test. -key k. -secret B64 [-alg hmac-sha256] [-tcp] records
//	externaldns-rfc2136 ... apply < plan.json   ({"create": [...], "updateOld": [...], "updateNew": [...], "delete": [...]})
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"
)

type endpoint struct {
	DNSName    string   `json:"dnsName"`
	RecordType string   `json:"recordType"`
	TTL        int64    `json:"ttl"`
	Targets    []string `json:"targets"`
}

type changes struct {
	Create    []endpoint `json:"create"`
	UpdateOld []endpoint `json:"updateOld"`
	UpdateNew []endpoint `json:"updateNew"`
	Delete    []endpoint `json:"delete"`
}

var (
	server    = flag.String("server", "127.0.0.1:53", "nameserver host:port")
	zone      = flag.String("zone", "", "zone to manage")
	keyName   = flag.String("key", "", "TSIG key name")
	secret    = flag.String("secret", "", "TSIG secret (base64)")
	alg       = flag.String("alg", "hmac-sha256", "TSIG algorithm")
	useTCP    = flag.Bool("tcp", false, "send updates over TCP")
	batchSize = flag.Int("batch", 50, "changes per UPDATE message (--rfc2136-batch-change-size)")
	minTTL    = flag.Int64("min-ttl", 0, "minimum TTL of created records (--rfc2136-min-ttl)")
)

var algorithms = map[string]string{
	"hmac-md5": dns.HmacMD5, "hmac-sha1": dns.HmacSHA1, "hmac-sha224": dns.HmacSHA224,
	"hmac-sha256": dns.HmacSHA256, "hmac-sha384": dns.HmacSHA384, "hmac-sha512": dns.HmacSHA512,
}

func main() {
	flag.Parse()
	*zone = dns.Fqdn(*zone)
	*keyName = dns.Fqdn(*keyName)
	var err error
	switch flag.Arg(0) {
	case "records":
		err = records()
	case "apply":
		var plan changes
		if err = json.NewDecoder(os.Stdin).Decode(&plan); err == nil {
			err = apply(plan)
		}
	default:
		err = fmt.Errorf("usage: externaldns-rfc2136 [flags] records|apply")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// records lists the zone as the provider's Records() does: AXFR, then A, AAAA, CNAME and TXT only.
func records() error {
	m := new(dns.Msg)
	m.SetAxfr(*zone)
	m.SetTsig(*keyName, algorithms[*alg], 300, time.Now().Unix())
	t := new(dns.Transfer)
	t.TsigSecret = map[string]string{*keyName: *secret}
	env, err := t.In(m, *server)
	if err != nil {
		return fmt.Errorf("failed to fetch records via AXFR: %v", err)
	}
	for e := range env {
		if e.Error != nil {
			return fmt.Errorf("AXFR error: %v", e.Error)
		}
		for _, rr := range e.RR {
			h := rr.Header()
			if h.Class != dns.ClassINET {
				continue
			}
			var value string
			switch v := rr.(type) {
			case *dns.A:
				value = v.A.String()
			case *dns.AAAA:
				value = v.AAAA.String()
			case *dns.CNAME:
				value = v.Target
			case *dns.TXT:
				value = strings.Join(v.Txt, "")
			default:
				continue
			}
			fmt.Printf("%s %d %s %s\n", strings.TrimSuffix(h.Name, "."), h.Ttl, dns.TypeToString[h.Rrtype], value)
		}
	}
	return nil
}

func rrFor(ep endpoint, ttl int64, target string) (dns.RR, error) {
	if ep.RecordType == "TXT" && !strings.HasPrefix(target, "\"") {
		target = fmt.Sprintf("%q", target)
	}
	rr, err := dns.NewRR(fmt.Sprintf("%s %d %s %s", ep.DNSName, ttl, ep.RecordType, target))
	if err != nil {
		return nil, fmt.Errorf("failed to build RR: %v", err)
	}
	return rr, nil
}

// apply sends the plan in batches, in the provider's order: creates, updates (old removed, new
// inserted), deletes.
func apply(plan changes) error {
	m := newUpdate()
	pending := 0
	flush := func(force bool) error {
		if pending == 0 || (!force && pending < *batchSize) {
			return nil
		}
		err := send(m)
		m, pending = newUpdate(), 0
		return err
	}
	insert := func(ep endpoint) error {
		ttl := *minTTL
		if ep.TTL > ttl {
			ttl = ep.TTL
		}
		for _, target := range ep.Targets {
			rr, err := rrFor(ep, ttl, target)
			if err != nil {
				return err
			}
			m.Insert([]dns.RR{rr})
		}
		pending++
		return flush(false)
	}
	remove := func(ep endpoint) error {
		for _, target := range ep.Targets {
			rr, err := rrFor(ep, ep.TTL, target)
			if err != nil {
				return err
			}
			m.Remove([]dns.RR{rr})
		}
		pending++
		return flush(false)
	}
	for _, ep := range plan.Create {
		if err := insert(ep); err != nil {
			return err
		}
	}
	for i := range plan.UpdateOld {
		if err := remove(plan.UpdateOld[i]); err != nil {
			return err
		}
		if i < len(plan.UpdateNew) {
			if err := insert(plan.UpdateNew[i]); err != nil {
				return err
			}
		}
	}
	for _, ep := range plan.Delete {
		if err := remove(ep); err != nil {
			return err
		}
	}
	return flush(true)
}

func newUpdate() *dns.Msg {
	m := new(dns.Msg)
	m.SetUpdate(*zone)
	return m
}

func send(m *dns.Msg) error {
	c := new(dns.Client)
	c.SingleInflight = true
	if *useTCP {
		c.Net = "tcp"
	}
	c.TsigSecret = map[string]string{*keyName: *secret}
	m.SetTsig(*keyName, algorithms[*alg], 300, time.Now().Unix())
	resp, _, err := c.Exchange(m, *server)
	if err != nil {
		return fmt.Errorf("RFC2136 update failed: %v", err)
	}
	if resp.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("bad return code: %s", dns.RcodeToString[resp.Rcode])
	}
	return nil
}
