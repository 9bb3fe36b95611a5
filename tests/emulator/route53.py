"""Route 53, as far as stackc reads it: ListHostedZonesByName (REST-XML, GET
/2013-04-01/hostedzonesbyname), over the hosted zones the admin API makes
(POST /_emulator/hosted-zones {"name": "example.com", "private": false, "id": "Z..."};
the id is made up when left out). As in Route 53: names are absolute ("example.com."),
several zones may share a name, the list is sorted by name with its labels reversed
("com.example.") then by id, and starts at `dnsname` (and `hostedzoneid`)."""

import re
import urllib.parse

from wire import Response, ServiceError, to_xml

XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/"
ZONE_ID_RE = re.compile(r"^Z[A-Z0-9]{1,31}$")


class Store:
    def __init__(self):
        self.zones = []  # {"id", "name" (with the final dot), "private", "caller_reference"}

    def add(self, state, spec):
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip("."):
            raise ValueError("a hosted zone needs \"name\"")
        zone_id = spec.get("id") or "Z%019d" % state.next_id("hosted-zone")
        if not ZONE_ID_RE.match(zone_id):
            raise ValueError("a hosted zone id is Z followed by letters and digits")
        zone = {"id": zone_id, "name": absolute(name), "private": bool(spec.get("private")),
                "caller_reference": "stackc-emulator-%s" % zone_id}
        self.zones.append(zone)
        return zone


def absolute(name):
    return name.lower().rstrip(".") + "."


def sort_key(zone):
    labels = zone["name"].rstrip(".").split(".")
    return (".".join(reversed(labels)) + ".", zone["id"])


def operation(method, raw_path):
    if method == "GET" and raw_path == "/2013-04-01/hostedzonesbyname":
        return "ListHostedZonesByName"
    return "%s %s" % (method, raw_path)


def handle(request):
    if request.action != "ListHostedZonesByName":
        raise ServiceError("InvalidInput", "The stackc emulator does not implement %s on Route 53"
                           % request.action, 400)
    params = dict(urllib.parse.parse_qsl(request.raw_query, keep_blank_values=True))
    dns_name, zone_id = params.get("dnsname"), params.get("hostedzoneid")
    if zone_id and not dns_name:
        raise ServiceError("InvalidInput", "The input is not valid: HostedZoneId requires "
                           "DNSName", 400)
    try:
        max_items = int(params.get("maxitems", "100"))
    except ValueError:
        max_items = 0
    if not 1 <= max_items <= 100:
        raise ServiceError("InvalidInput", "1 validation error detected: Value '%s' at "
                           "'maxItems' failed to satisfy constraint: Member must be between 1 "
                           "and 100" % params.get("maxitems"), 400)
    zones = sorted(request.state.route53.zones, key=sort_key)
    if dns_name:
        start = sort_key({"name": absolute(dns_name), "id": zone_id or ""})
        zones = [z for z in zones if sort_key(z) >= start]
    page, rest = zones[:max_items], zones[max_items:]
    body = '<?xml version="1.0"?>\n<ListHostedZonesByNameResponse xmlns="%s">\n' % XMLNS
    body += "  <HostedZones>\n"
    for zone in page:
        body += to_xml("HostedZone", {
            "Id": "/hostedzone/" + zone["id"], "Name": zone["name"],
            "CallerReference": zone["caller_reference"],
            "Config": {"PrivateZone": zone["private"]}, "ResourceRecordSetCount": 2}, 2)
    body += "  </HostedZones>\n"
    if dns_name:
        body += to_xml("DNSName", dns_name, 1)
    if zone_id:
        body += to_xml("HostedZoneId", zone_id, 1)
    body += to_xml("IsTruncated", bool(rest), 1)
    if rest:
        body += to_xml("NextDNSName", rest[0]["name"], 1)
        body += to_xml("NextHostedZoneId", rest[0]["id"], 1)
    body += to_xml("MaxItems", str(max_items), 1)
    body += "</ListHostedZonesByNameResponse>\n"
    return Response(200, [("Content-Type", "text/xml")], body)
