import Foundation
import Testing
@testable import FerryContacts

/// The format registry takes the dialect names from a scan of the bundled resources, without loading
/// the catalog: the scan must give the catalog's names, in its order.
@Suite struct DialectNamesTests {
    @Test func scannedNamesAreTheCatalogsNames() {
        #expect(!ContactCSVFormat.dialectNames.isEmpty)
        #expect(ContactCSVFormat.dialectNames == DialectCatalog.standard.names)
        #expect(ContactCSVFormat.dialectFormats.map(\.name) == DialectCatalog.standard.names)
    }

    @Test func scanSkipsCommentsAndOtherTags() {
        let xml = """
        <root><!-- <format name="commented"> --><formats><format name="a" type="csv"><column name="x"/></format>
        <format\tproducer="p" name='b'/><formatting name="no"/><format locale="de" name="a"></format></formats></root>
        """
        #expect(ContactCSVFormat.formatNames(Array(xml.utf8)) == ["a", "b", "a"])
        // Entities are read as the catalog reads them; a format without a name sends the caller to the catalog.
        #expect(ContactCSVFormat.formatNames(Array("<format name=\"a&amp;b\">".utf8)) == ["a&b"])
        #expect(ContactCSVFormat.formatNames(Array("<format type=\"csv\">".utf8)) == nil)
    }
}
