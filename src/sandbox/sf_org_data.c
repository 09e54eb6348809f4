/* sf_org_data.c: the word lists the generated org draws its names,
 * places and texts from. Some entries are accented or CJK on purpose:
 * a migration must carry them through untouched. */
#include "util.h"

#include "sf_org_int.h"

#define WORDS(name, ...)                                                       \
	static const char *const name##_w[] = {__VA_ARGS__};                   \
	const struct sfo_words name = {name##_w, FERRY_ARRAY_LEN(name##_w)}

WORDS(sfo_first_names, "James", "Mary", "John", "Patricia", "Robert",
      "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David",
      "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
      "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony",
      "Betty", "Mark", "Margaret", "Paul", "Sandra", "Steven", "Ashley",
      "Andrew", "Emily", "Kenneth", "Donna", "Joshua", "Michelle", "Kevin",
      "Carol", "Brian", "Amanda", "George", "Melissa", "Timothy", "Deborah",
      "Ada", "Grace", "Alan", "Ingrid", "Jürgen", "Zoë", "François", "Élodie",
      "Hélène", "José", "João", "Ana", "Søren", "Björn", "Małgorzata", "Łukasz",
      "Çağla", "Renée");

WORDS(sfo_last_names, "Smith", "Johnson", "Williams", "Brown", "Jones",
      "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
      "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
      "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
      "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
      "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
      "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "O'Brien",
      "McAllister", "Lovelace", "Hopper", "Weiß", "Schäfer", "Dupont",
      "Lefèvre", "Conceição", "Bergström", "Müller", "Øster", "Núñez",
      "Kowalczyk", "Dvořák", "Yılmaz", "van der Berg", "D'Angelo");

static const char *const ja_family[] = {"田中", "佐藤", "鈴木", "高橋", "渡辺"};
static const char *const ja_given[] = {"太郎", "花子", "翔太", "美咲", "健"};
static const char *const zh_family[] = {"王", "李", "张", "刘", "陳"};
static const char *const zh_given[] = {"芳", "伟", "娜", "强", "静"};
static const char *const ko_family[] = {"김", "이", "박"};
static const char *const ko_given[] = {"민준", "서연", "지우"};
const struct sfo_words sfo_cjk_family[3] = {
    {ja_family, FERRY_ARRAY_LEN(ja_family)},
    {zh_family, FERRY_ARRAY_LEN(zh_family)},
    {ko_family, FERRY_ARRAY_LEN(ko_family)},
};
const struct sfo_words sfo_cjk_given[3] = {
    {ja_given, FERRY_ARRAY_LEN(ja_given)},
    {zh_given, FERRY_ARRAY_LEN(zh_given)},
    {ko_given, FERRY_ARRAY_LEN(ko_given)},
};

WORDS(sfo_co_head, "North", "Blue", "Silver", "Bright", "Apex", "Iron", "Green",
      "Red", "Stone", "Swift", "Clear", "Star", "Sun", "Ocean", "River", "Pine",
      "Oak", "Maple", "Cedar", "Summit", "Prime", "Vertex", "Nova", "Terra",
      "Quantum", "Pixel", "Cloud", "Data", "Hyper", "Global", "United", "First",
      "Metro", "Urban", "Alpine", "Polar", "Golden", "Crystal", "Rapid",
      "Solid");
WORDS(sfo_co_tail, "wind", "field", "stone", "bridge", "works", "gate", "point",
      "line", "path", "wave", "ridge", "brook", "light", "forge", "dale",
      "port", "star", "view", "crest", "haven", "wood", "mark", "side", "shore",
      "peak", "core", "tech", "soft", "logic", "scape", "craft", "cast", "bay",
      "stream", "vale", "hill", "ford", "mill", "well", "land");
WORDS(sfo_co_suffix, "Inc.", "LLC", "Ltd", "Corp", "Group", "Holdings",
      "Systems", "Labs", "Partners", "Industries", "Solutions", "& Co.",
      "Technologies", "Logistics", "Foods", "Energy");

WORDS(sfo_streets, "Main Street", "Oak Avenue", "Market St.", "1st Ave",
      "Broadway", "Elm Street", "Harbour Road", "King's Road", "High Street",
      "Rue de Rivoli", "Hauptstraße", "Avenida Paulista", "Calle Mayor",
      "Storgata", "Maple Drive", "Industrial Pkwy", "Sunset Blvd",
      "Canal Street");

WORDS(sfo_titles, "CEO", "CFO", "CTO", "VP Sales", "VP Operations",
      "Head of IT", "Purchasing Manager", "Office Manager", "Sales Director",
      "Marketing Manager", "Engineer", "Analyst", "Consultant",
      "Account Executive", "Chief Analyst", "Procurement Lead",
      "Directeur Général", "Geschäftsführer", "部長", "Founder & CEO");

WORDS(sfo_departments, "Sales", "Marketing", "Finance", "IT", "Operations",
      "Procurement", "Legal", "HR", "Support", "R&D", "Executive");

WORDS(sfo_subjects, "Call", "Email", "Meeting", "Send Letter/Quote",
      "Follow up on proposal", "Demo", "Intro call", "Renewal discussion",
      "Quarterly review", "Contract questions", "Onboarding kickoff",
      "Pricing, terms and next steps", "Réunion de suivi", "Rückruf");

WORDS(sfo_phrases, "Key account, renewal due in Q3",
      "Prefers email; do not call before 10am",
      "Met at the trade show, interested in the premium tier",
      "Budget approved, waiting for legal",
      "Price-sensitive, compares us with two competitors",
      "Referred by an existing customer",
      "Long-time customer, expanding to Europe",
      "Asked for a discount of 15%, see notes", "Imported from the old CRM",
      "Needs a \"proper\" SLA before signing",
      "Said \"not this year\", try again in spring",
      "Kunde seit 2019, Ansprechpartner wechselt oft",
      "Client fidèle, « très satisfait »", "東京本社、年次契約の更新予定",
      "Cliente desde 2020, paga em dia");

WORDS(sfo_products, "Platform License", "Premium Support", "Onboarding",
      "Data Migration", "Training Day", "Analytics Add-on", "API Access",
      "Enterprise Edition", "Starter Pack", "Hardware Bundle",
      "Consulting Hours", "Annual Subscription");

WORDS(sfo_tlds, ".com", ".com", ".com", ".io", ".net", ".co.uk", ".de", ".com",
      ".org", ".fr", ".com.au", ".co");

WORDS(sfo_personal_domains, "gmail.com", "yahoo.com", "hotmail.com",
      "outlook.com", "icloud.com", "gmx.de", "web.de", "qq.com", "yahoo.com.br",
      "aol.com");

const struct sfo_city sfo_cities[] = {
    {"San Francisco", "CA", "94105", "United States", "37.7749", "-122.4194"},
    {"New York", "NY", "10001", "United States", "40.7128", "-74.0060"},
    {"Austin", "TX", "78701", "USA", "30.2672", "-97.7431"},
    {"Chicago", "IL", "60601", "US", "41.8781", "-87.6298"},
    {"Seattle", "WA", "98101", "United States", "47.6062", "-122.3321"},
    {"Boston", "MA", "02108", "United States", "42.3601", "-71.0589"},
    {"London", "", "E14 5AB", "United Kingdom", "51.5074", "-0.1278"},
    {"Manchester", "", "M1 1AE", "UK", "53.4808", "-2.2426"},
    {"Paris", "", "75001", "France", "48.8566", "2.3522"},
    {"München", "BY", "80331", "Germany", "48.1351", "11.5820"},
    {"Berlin", "", "10115", "Deutschland", "52.5200", "13.4050"},
    {"São Paulo", "SP", "01310-100", "Brazil", "-23.5505", "-46.6333"},
    {"Ålesund", "", "6002", "Norway", "62.4722", "6.1495"},
    {"東京", "東京都", "100-0005", "Japan", "35.6762", "139.6503"},
    {"北京", "北京市", "100000", "China", "39.9042", "116.4074"},
    {"Sydney", "NSW", "2000", "Australia", "-33.8688", "151.2093"},
    {"Toronto", "ON", "M5H 2N2", "Canada", "43.6532", "-79.3832"},
    {"Zürich", "ZH", "8001", "Switzerland", "47.3769", "8.5417"},
};
const size_t sfo_n_cities = FERRY_ARRAY_LEN(sfo_cities);

const struct sfo_intl_co sfo_intl_cos[] = {
    {"Société Générale", "societegenerale", ".fr", 8},
    {"Müller GmbH", "mueller", ".de", 9},
    {"Construtora São Paulo Ltda", "construtorasp", ".com.br", 11},
    {"Nordisk Fisk AS", "nordiskfisk", ".no", 12},
    {"株式会社東京", "tokyo-kk", ".co.jp", 13},
    {"北京科技有限公司", "bjtech", ".cn", 14},
    {"Zürcher Präzision AG", "zuercher-praezision", ".ch", 17},
    {"Crème & Brûlée SARL", "creme-brulee", ".fr", 8},
};
const size_t sfo_n_intl_cos = FERRY_ARRAY_LEN(sfo_intl_cos);
