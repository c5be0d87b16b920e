web:
  image: web:{{ .Values.WORKERS | default "1" }}
  environment:
    DB_PASSWORD: ${DB_PASSWORD}
    DB_HOST: db
  labels:
    io.rancher.sidekicks: web-data
  volumes_from:
  - web-data
{{- if eq .Values.METRICS "true" }}
  ports:
  - 9100:9100
{{- end }}
web-data:
  image: busybox
  volumes:
  - /data
  net: none
db:
  image: postgres:15
  volumes:
  - dbdata:/var/lib/postgresql/data
  volume_driver: ${DRIVER}
agent:
  image: agent
  labels:
    io.rancher.scheduler.global: 'true'
lb:
  image: rancher/lb-service-haproxy:v0.7.5
  ports:
  - ${PUBLIC_PORT}:${PUBLIC_PORT}
