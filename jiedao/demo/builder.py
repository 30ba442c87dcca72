"""Builds the fictional demo district: two offices, 22 communities and villages, 110 grids, ~320 buildings,
19 handling units, a grid worker per grid and one demo user per role. Deterministic from a seed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.accounts.services import ensure_admin_group
from jiedao.audit.models import AuditEvent
from jiedao.cases.models import Case, CaseSequence
from jiedao.categories.services import categories_seed
from jiedao.demo import geometry, names
from jiedao.places import codes, geo
from jiedao.places.choices import HouseUse, Level, PlaceKind
from jiedao.places.models import Building, Entrance, House, Place
from jiedao.units.models import Unit

DEMO_PASSWORD = "Jiedao2026!"  # noqa: S105  (documented in the README; demo data only)
DEFAULT_SEED = 20261121

# Lattice of community cells: 6 columns × 4 rows; 望湖 takes columns 0–4, 安澜 column 5, rows 1–2.
COLS, ROWS = 6, 4
ORIGIN = (120.020, 30.275)
STEP = (0.0095, 0.0085)
SECOND_OFFICE_CELLS = [(5, 1), (5, 2)]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass
class DemoResult:
    places: int = 0
    grids: int = 0
    buildings: int = 0
    houses: int = 0
    units: int = 0
    users: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def demo_exists() -> bool:
    return Place.objects.exists()


@transaction.atomic
def demo_reset() -> None:
    """Delete every case, place, unit, user and audit row (the demo's whole world)."""
    Case.objects.filter(merged_into__isnull=False).delete()
    Case.objects.all().delete()
    CaseSequence.objects.all().delete()
    RoleAssignment.objects.all().delete()
    User.objects.all().delete()
    AuditEvent.objects.all().delete()
    House.objects.all().delete()
    Entrance.objects.all().delete()
    Building.objects.all().delete()
    Unit.objects.all().delete()
    for level in (Level.GRID, Level.COMMUNITY, Level.SUBDISTRICT, Level.DISTRICT):
        Place.objects.filter(level=level).delete()
    geo.invalidate()


def _union(geometries: list[Any]) -> dict[str, Any]:
    return dict(mapping(unary_union([shape(g) for g in geometries])))


def _place(level: str, kind: str, code: str, name: str, parent: Place | None, **extra: object) -> Place:
    codes.validate_code(code, level, kind, parent.code if parent else None)
    return Place(
        level=level, kind=kind, code=code, prefix=codes.prefix_of(code, level), name=name, parent=parent, **extra
    )


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.result = DemoResult()
        self.password = make_password(DEMO_PASSWORD)
        self.used_names: set[str] = set()
        self.phone_seq = 0

    def person_name(self) -> str:
        while True:
            name = self.rng.choice(names.SURNAMES) + "".join(
                self.rng.choice(names.GIVEN) for _ in range(self.rng.choice([1, 2, 2]))
            )
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def phone(self) -> str:
        # 100 is not a mobile prefix in China: no demo number can reach a real person.
        self.phone_seq += 1
        return f"100{self.rng.randint(1000, 9999)}{self.phone_seq:04d}"

    def build(self) -> DemoResult:
        district = _place(Level.DISTRICT, PlaceKind.DISTRICT, names.DISTRICT[0], names.DISTRICT[1], None)
        district.save()
        vertices = geometry.lattice(cols=COLS, rows=ROWS, origin=ORIGIN, step=STEP, rng=self.rng, jitter=0.18)
        offices = []
        for code, name, address in names.OFFICES:
            office = _place(Level.SUBDISTRICT, PlaceKind.SUBDISTRICT, code, name, district, address=address)
            office.save()
            offices.append(office)
        main_cells = [(c, r) for r in range(ROWS) for c in range(COLS - 1)]
        communities = self.communities(offices[0], main_cells, vertices, villages_at={18, 19})
        second = self.communities(
            offices[1], SECOND_OFFICE_CELLS, vertices, villages_at=set(), words=names.SECOND_OFFICE_COMMUNITIES
        )
        grids = self.grids(communities + second)
        for office, group in ((offices[0], communities), (offices[1], second)):
            office.boundary = _union([c.boundary for c in group])
            office.households = sum(c.households or 0 for c in group)
            office.save(update_fields=["boundary", "households"])
        self.buildings(grids)
        units = self.units(offices[0], communities, names.UNITS_MAIN)
        units += self.units(offices[1], second, names.UNITS_SECOND)
        self.users(district, offices, communities, second, grids, units)
        categories_seed()
        self.result.places = Place.objects.count()
        geo.invalidate()
        return self.result

    def communities(
        self,
        office: Place,
        cells: list[tuple[int, int]],
        vertices: list[list[geometry.Point]],
        *,
        villages_at: set[int],
        words: list[str] | None = None,
    ) -> list[Place]:
        words = words or names.COMMUNITY_WORDS
        made = []
        community_seq, village_seq = 0, 200
        for index, (col, row) in enumerate(cells):
            quad = geometry.cell(vertices, col, row)
            if index in villages_at:
                village_seq += 1
                kind, seq, name = PlaceKind.VILLAGE, village_seq, names.VILLAGE_WORDS[index % 2] + "村"
            else:
                community_seq += 1
                kind, seq, name = PlaceKind.COMMUNITY, community_seq, words[index] + "社区"
            code = f"{office.prefix}{seq:03d}"
            place = _place(
                Level.COMMUNITY,
                kind,
                code,
                name,
                office,
                address=f"{self.rng.choice(names.ROADS)}{self.rng.randint(1, 300)}号",
            )
            place.save()
            place._demo_quad = quad  # type: ignore[attr-defined]
            place._demo_row = row  # type: ignore[attr-defined]
            made.append(place)
        return made

    def grids(self, communities: list[Place]) -> list[Place]:
        grids: list[Place] = []
        dedicated = iter(names.DEDICATED)
        for index, community in enumerate(communities):
            # Two columns everywhere and the same number of rows along a lattice row: neighbours then split
            # their shared edge at the same points, so the grids meet vertex to vertex (no slivers).
            cols, rows = 2, (2 if community._demo_row % 2 == 0 else 3)  # type: ignore[attr-defined]
            cells = geometry.split(community._demo_quad, cols=cols, rows=rows, rng=self.rng, jitter=0.3)  # type: ignore[attr-defined]
            total = 0
            for seq, corners in enumerate(cells, start=1):
                special = next(dedicated, None) if seq == len(cells) and index % 4 == 1 else None
                households = self.rng.randint(15, 60) if special else self.rng.randint(300, 500)
                total += households
                grids.append(
                    _place(
                        Level.GRID,
                        PlaceKind.DEDICATED if special else PlaceKind.COMPREHENSIVE,
                        f"{community.code}{seq:03d}",
                        f"{special}专属网格" if special else f"{community.name}第{seq}网格",
                        community,
                        boundary=geometry.polygon(corners),
                        households=households,
                        population=int(households * self.rng.uniform(2.3, 2.9)),
                        dedicated_to=special or "",
                    )
                )
            community.households = total
            # A community is exactly the union of its grids (not the quad: rounding would leave slivers).
            community.boundary = _union([g.boundary for g in grids if g.parent is community])
            community.save(update_fields=["households", "boundary"])
        Place.objects.bulk_create(grids)
        self.result.grids = len(grids)
        return list(Place.objects.filter(level=Level.GRID).order_by("code"))

    def buildings(self, grids: list[Place]) -> None:
        buildings = []
        for grid in grids:
            polygon = shape(grid.boundary)
            estate = f"{grid.parent.name[:2] if grid.parent else ''}{self.rng.choice(names.ESTATES)}"
            road = self.rng.choice(names.ROADS)
            count = 1 if grid.kind == PlaceKind.DEDICATED else 3
            minx, miny, maxx, maxy = polygon.bounds
            for number in range(1, count + 1):
                while True:
                    point = ShapelyPoint(self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy))
                    if polygon.contains(point):
                        break
                label = grid.dedicated_to or estate
                buildings.append(
                    Building(
                        grid=grid,
                        scope_code=grid.code,
                        number=str(number),
                        name=f"{label}{number}幢" if not grid.dedicated_to else f"{label}{number}号楼",
                        address=f"{road}{self.rng.randint(1, 400)}号{label}{number}幢",
                        lng=Decimal(f"{point.x:.6f}"),
                        lat=Decimal(f"{point.y:.6f}"),
                        floors=self.rng.choice([4, 6, 6, 7, 11, 18]) if not grid.dedicated_to else 4,
                    )
                )
        Building.objects.bulk_create(buildings)
        created = list(Building.objects.order_by("id"))
        entrances = [Entrance(building=b, number=n) for b in created for n in range(1, (1 if b.floors <= 4 else 2) + 1)]
        Entrance.objects.bulk_create(entrances)
        houses = []
        uses = [HouseUse.OWN] * 7 + [HouseUse.RENTED] * 2 + [HouseUse.VACANT]
        for entrance in Entrance.objects.select_related("building").order_by("id"):
            building = entrance.building
            if building.name.endswith("号楼"):
                continue  # a school or hospital building has no dwellings
            for floor in range(1, building.floors + 1):
                for door in (1, 2):
                    houses.append(
                        House(
                            entrance=entrance,
                            scope_code=building.scope_code,
                            number=f"{floor}0{door}",
                            floor=floor,
                            area=Decimal(self.rng.randrange(6000, 14000)) / 100,
                            use=self.rng.choice(uses),
                        )
                    )
        House.objects.bulk_create(houses, batch_size=2000)
        self.result.buildings = len(created)
        self.result.houses = len(houses)

    def units(
        self, office: Place, communities: list[Place], specs: Sequence[tuple[str, str, str, str, list[int] | None]]
    ) -> list[Unit]:
        made = []
        for name, short, kind, sector, serves in specs:
            unit = Unit.objects.create(
                name=name,
                short_name=short,
                kind=kind,
                sector=sector,
                office=office,
                phone=f"0571-{self.rng.randint(10000000, 99999999)}",
            )
            if serves:
                unit.serves.set([communities[i] for i in serves])
            made.append(unit)
        self.result.units += len(made)
        return made

    def users(
        self,
        district: Place,
        offices: list[Place],
        communities: list[Place],
        second: list[Place],
        grids: list[Place],
        units: list[Unit],
    ) -> None:
        users: list[User] = []
        bindings: list[tuple[str, str, Place | None, Unit | None]] = []

        office_of = {office.prefix: office for office in offices}

        def person(username: str, title: str, office: Place) -> str:
            users.append(
                User(
                    office=office,
                    username=username,
                    full_name=self.person_name(),
                    phone=self.phone(),
                    title=title,
                    password=self.password,
                )
            )
            return username

        for grid in grids:
            username = person(f"wg{grid.code[6:]}", "网格员", office_of[grid.prefix[:9]])
            bindings.append((username, Role.GRID_WORKER, grid, None))
        main, other = offices
        first_grid = grids[0]
        demo = [
            ("wanggeyuan", Role.GRID_WORKER, first_grid, None, "网格员"),
            ("wanggezhang", Role.GRID_LEADER, communities[0], None, "网格长"),
            ("shequ", Role.COMMUNITY_STAFF, communities[0], None, "社区工作人员"),
            ("paidan", Role.DISPATCHER, main, None, "受理派遣员"),
            ("chengban", Role.UNIT_HANDLER, None, units[2], "城管科经办人"),
            ("fenguan", Role.DEPUTY_LEADER, main, None, "分管副主任"),
            ("zhuyao", Role.PRINCIPAL_LEADER, main, None, "街道党工委书记"),
            ("admin", Role.ADMIN, main, None, "系统管理员"),
            ("waibu", Role.COMMUNITY_STAFF, communities[1], None, "社区工作人员"),
            ("anlan", Role.DISPATCHER, other, None, "受理派遣员"),
        ]
        for username, role, place, unit, title in demo:
            person(username, title, other if username == "anlan" else main)
            bindings.append((username, role, place, unit))
            where = str(place or unit)
            self.result.logins.append(DemoLogin(username, str(Role(role).label), where))
        root = User(
            username="superadmin",
            full_name="平台超级管理员",
            is_staff=True,
            is_superuser=True,
            password=self.password,
            title="平台运维",
        )
        users.append(root)
        self.result.logins.append(DemoLogin("superadmin", "超级管理员", str(district)))
        User.objects.bulk_create(users)
        by_name = {u.username: u for u in User.objects.all()}
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=by_name[u], role=r, place=p, unit=un) for u, r, p, un in bindings]
        )
        admin_user = by_name["admin"]
        admin_user.is_staff = True
        admin_user.save(update_fields=["is_staff"])
        admin_user.groups.add(ensure_admin_group())
        self.result.users = len(users)


def demo_create(*, seed: int = DEFAULT_SEED) -> DemoResult:
    """Create the demo district in one transaction; raise if places already exist."""
    with transaction.atomic():
        if demo_exists():
            raise RuntimeError("the database already holds places; use --reset to replace them")
        return _Builder(seed).build()


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist in this database (for printing on a second run)."""
    wanted = [
        "wanggeyuan",
        "wanggezhang",
        "shequ",
        "paidan",
        "chengban",
        "fenguan",
        "zhuyao",
        "admin",
        "waibu",
        "anlan",
    ]
    result = []
    for user in User.objects.filter(username__in=wanted).prefetch_related(
        "role_assignments__place", "role_assignments__unit"
    ):
        for a in user.role_assignments.all():
            result.append(DemoLogin(user.username, a.get_role_display(), str(a.place or a.unit)))
    result.sort(key=lambda login: wanted.index(login.username))
    if User.objects.filter(username="superadmin").exists():
        result.append(DemoLogin("superadmin", "超级管理员", "全部"))
    return result
